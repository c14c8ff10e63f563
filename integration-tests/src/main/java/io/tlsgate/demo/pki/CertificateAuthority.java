package io.tlsgate.demo.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time with Bouncy Castle: nothing with a private key is ever committed.
 * Issues certificates of any shape a test needs ({@link #leaf}), intermediates, and CRLs; remembers which of its
 * certificates are revoked, for its CRL and for an OCSP responder.
 */
public final class CertificateAuthority {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** A revoked serial number: when and why. */
    static final class Revocation {
        final Instant when;
        final int reason;

        Revocation(Instant when, int reason) {
            this.when = when;
            this.reason = reason;
        }
    }

    private final IssuedCertificate self;
    private final X500Name name;
    private final Map<BigInteger, Revocation> revoked = new ConcurrentHashMap<>();

    private CertificateAuthority(IssuedCertificate self, X500Name name) {
        this.self = self;
        this.name = name;
    }

    /** A self-signed root (RSA 2048, SHA-256), valid from a day ago for ten years. */
    public static CertificateAuthority create(String distinguishedName) {
        KeyPair keys = KeyType.RSA_2048.generate();
        X500Name name = x500(distinguishedName);
        X509Certificate certificate = caCertificate(name, name, keys, keys, "SHA256withRSA");
        return new CertificateAuthority(new IssuedCertificate(keys, List.of(certificate)), name);
    }

    /** An intermediate CA issued by this one; its chain includes this CA's. */
    public CertificateAuthority intermediate(String distinguishedName) {
        KeyPair keys = KeyType.RSA_2048.generate();
        X500Name subject = x500(distinguishedName);
        X509Certificate certificate = caCertificate(name, subject, keys, self.keyPair(), "SHA256withRSA");
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(self.chain());
        return new CertificateAuthority(new IssuedCertificate(keys, chain), subject);
    }

    public X509Certificate certificate() {
        return self.certificate();
    }

    /** This CA's certificate and those above it. */
    public List<X509Certificate> chain() {
        return self.chain();
    }

    KeyPair keyPair() {
        return self.keyPair();
    }

    /** A certificate to shape: name, key, validity, purposes, revocation pointers. */
    public LeafBuilder leaf(String commonName) {
        return new LeafBuilder(this, commonName);
    }

    /** A server certificate (serverAuth) for the given DNS names and IP addresses. */
    public IssuedCertificate issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        return leaf(commonName).dnsNames(dnsNames).ipAddresses(ipAddresses).purposes(LeafBuilder.Purpose.SERVER_AUTH).issue();
    }

    /** A client certificate (clientAuth) with the given DNS names in its subjectAltName. */
    public IssuedCertificate issueClient(String commonName, List<String> dnsNames) {
        return leaf(commonName).dnsNames(dnsNames).issue();
    }

    public void revoke(X509Certificate certificate, int crlReason) {
        revoked.put(certificate.getSerialNumber(), new Revocation(Instant.now().minus(Duration.ofMinutes(1)), crlReason));
    }

    public void revoke(X509Certificate certificate) {
        revoke(certificate, CRLReason.keyCompromise);
    }

    Revocation revocation(BigInteger serial) {
        return revoked.get(serial);
    }

    /** A CRL of the revoked serials, issued now, valid until {@code nextUpdate}. */
    public X509CRL crl(Instant thisUpdate, Instant nextUpdate) {
        try {
            X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(new X500Principal(name.getEncoded()), Date.from(thisUpdate));
            builder.setNextUpdate(Date.from(nextUpdate));
            revoked.forEach((serial, revocation) -> builder.addCRLEntry(serial, Date.from(revocation.when), revocation.reason));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate()));
            return new JcaX509CRLConverter().getCRL(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(self.keyPair().getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue CRL", e);
        }
    }

    public X509CRL crl() {
        return crl(Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1)));
    }

    public void writeCrlPem(Path file, X509CRL crl) {
        IssuedCertificate.writeText(file, IssuedCertificate.pem(crl));
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

    X500Name name() {
        return name;
    }

    private static X509Certificate caCertificate(X500Name issuer, X500Name subject, KeyPair keys, KeyPair signer, String algorithm) {
        try {
            Instant notBefore = Instant.now().minus(Duration.ofDays(1));
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
                Date.from(notBefore.plus(Duration.ofDays(3650))), subject, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, signer, algorithm);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA " + subject, e);
        }
    }

    static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer, String algorithm) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Encodes an RFC 4514 name as the JDK and OpenSSL read it (Bouncy Castle's string parser keeps the written order). */
    static X500Name x500(String rfc4514) {
        return X500Name.getInstance(new X500Principal(rfc4514).getEncoded());
    }
}
