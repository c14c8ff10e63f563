package io.tlsgate.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Real X.509 certificates made with Bouncy Castle and parsed by the JDK's CertificateFactory, as a TLS
 * session hands them over. One EC key signs them all: these tests are about names, not trust.
 */
final class TestCertificates {
    private static final KeyPair KEY = ecKey();
    private static final AtomicLong SERIAL = new AtomicLong(1);
    private static final Instant NOW = Instant.now();

    private TestCertificates() {
    }

    /** The subject and issuer in the standard encoding (RFC 4514 text read by the JDK), with these subjectAltNames. */
    static X509Certificate certificate(String subjectDn, String issuerDn, GeneralName... altNames) {
        return certificate(standard(subjectDn), standard(issuerDn), altNames);
    }

    /** Names in whatever encoding the caller built; no subjectAltName extension when none is given. */
    static X509Certificate certificate(X500Name subject, X500Name issuer, GeneralName... altNames) {
        return sign(subject, issuer, altNames.length == 0 ? null : new GeneralNames(altNames), null);
    }

    /**
     * A self-issued certificate whose (non-critical) subjectAltName extension holds this value instead of a
     * GeneralNames sequence, parsed by this provider's CertificateFactory (null: the JDK's).
     */
    static X509Certificate withRawSubjectAltName(String subjectDn, ASN1Encodable value, Provider provider) {
        return sign(standard(subjectDn), standard(subjectDn), value, provider);
    }

    static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    /** The DER encoding the JDK gives an RFC 4514 string (RDNs reversed), unlike {@code new X500Name(text)}. */
    static X500Name standard(String dn) {
        return X500Name.getInstance(new X500Principal(dn).getEncoded());
    }

    private static X509Certificate sign(X500Name subject, X500Name issuer, ASN1Encodable subjectAltName, Provider provider) {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.getAndIncrement()),
            Date.from(NOW.minus(1, ChronoUnit.DAYS)), Date.from(NOW.plus(1, ChronoUnit.DAYS)), subject, KEY.getPublic());
        try {
            if (subjectAltName != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAltName);
            }
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            return (provider == null ? converter : converter.setProvider(provider)).getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEY.getPrivate())));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
