package io.tlsgate.demo.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time with Bouncy Castle: nothing with a private key is ever
 * committed. Issues server and client certificates with the names and key usages a test asks for.
 */
public final class CertificateAuthority {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final IssuedCertificate self;
    private final X500Name name;

    private CertificateAuthority(IssuedCertificate self, X500Name name) {
        this.self = self;
        this.name = name;
    }

    /** A self-signed root, valid from a day ago for ten years. */
    public static CertificateAuthority create(String distinguishedName) {
        KeyPair keys = rsaKeyPair(2048);
        X500Name name = x500(distinguishedName);
        try {
            X509v3CertificateBuilder builder = builder(name, name, keys, Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(3650));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys);
            return new CertificateAuthority(new IssuedCertificate(keys, List.of(certificate)), name);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA " + distinguishedName, e);
        }
    }

    public X509Certificate certificate() {
        return self.certificate();
    }

    /** A server certificate (serverAuth) for the given DNS names and IP addresses. */
    public IssuedCertificate issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        return issue(commonName, dnsNames, ipAddresses, KeyPurposeId.id_kp_serverAuth);
    }

    /** A client certificate (clientAuth) with the given DNS names in its subjectAltName. */
    public IssuedCertificate issueClient(String commonName, List<String> dnsNames) {
        return issue(commonName, dnsNames, List.of(), KeyPurposeId.id_kp_clientAuth);
    }

    private IssuedCertificate issue(String commonName, List<String> dnsNames, List<String> ipAddresses, KeyPurposeId purpose) {
        KeyPair keys = rsaKeyPair(2048);
        try {
            X509v3CertificateBuilder builder = builder(name, x500("CN=" + commonName + ",O=TLS Gate Demo"), keys,
                Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(365));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(self.certificate()));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            }
            return new IssuedCertificate(keys, List.of(sign(builder, self.keyPair()), self.certificate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue certificate for " + commonName, e);
        }
    }

    /** A PKCS12 trust store holding this CA as a trusted certificate (James's clientAuth truststore). */
    public void writeTrustStore(Path file, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", certificate());
            IssuedCertificate.write(store, file, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot write trust store " + file, e);
        }
    }

    public void writeCertificatePem(Path file) {
        IssuedCertificate.writeText(file, IssuedCertificate.pem(certificate()));
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Instant notBefore, Duration validity) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
            Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Encodes an RFC 4514 name as the JDK and OpenSSL read it (Bouncy Castle's string parser keeps the written order). */
    static X500Name x500(String rfc4514) {
        return X500Name.getInstance(new X500Principal(rfc4514).getEncoded());
    }

    static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
