package io.tlsgate.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.encoders.Hex;

/**
 * Real X.509 certificates made with Bouncy Castle and parsed by the JDK's CertificateFactory, as a TLS
 * session hands them over. {@link #certificate} makes certificates one EC key signs: for tests about names,
 * not trust. {@link Authority} and {@link Leaf} make real chains (CAs, intermediates, leaves with the
 * extensions and flaws a test needs) for tests about trust, all dated around the fixed instant {@link #T}.
 */
public final class TestCertificates {
    /** The instant chain tests run at: their clocks are fixed here, and validity is written relative to it. */
    public static final Instant T = Instant.parse("2026-03-02T12:00:00Z");

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

    public static GeneralName dns(String name) {
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
        return ecKey("secp256r1");
    }

    /** A fresh EC key on this curve; curves the JDK no longer generates (secp224r1) come from Bouncy Castle. */
    public static KeyPair ecKey(String curve) {
        try {
            KeyPairGenerator generator = "secp224r1".equals(curve)
                ? KeyPairGenerator.getInstance("EC", BouncyCastle.PROVIDER) : KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Made once, when first needed: building the provider takes a while. */
    private static final class BouncyCastle {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    private static final Map<String, KeyPair> RSA_KEYS = new ConcurrentHashMap<>();

    /** An RSA key of this size; the same one for the same name, since RSA keys are slow to make (a second for 2048 bits). */
    static KeyPair rsaKey(String name, int bits) {
        return RSA_KEYS.computeIfAbsent(name + "/" + bits, k -> {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(bits);
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Writes certificates as PEM, one after the other. */
    public static Path writePem(Path file, X509Certificate... certificates) {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        try {
            for (X509Certificate certificate : certificates) {
                pem.append("-----BEGIN CERTIFICATE-----\n").append(encoder.encodeToString(certificate.getEncoded()))
                    .append("\n-----END CERTIFICATE-----\n");
            }
            Files.writeString(file, pem.toString(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a trust store (type PKCS12 or JKS) holding these certificates as trusted entries. Without a password a
     * PKCS12 store is written unencrypted and without integrity MAC, as {@code keytool} does with
     * {@code -J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE -J-Dkeystore.pkcs12.macAlgorithm=NONE}. With a password,
     * PKCS12 key derivation runs few iterations, so that tests stay fast (readers follow the count in the file).
     */
    public static Path writeTrustStore(Path file, String type, String password, X509Certificate... certificates) {
        String[] properties = {"keystore.pkcs12.certProtectionAlgorithm", "keystore.pkcs12.macAlgorithm",
            "keystore.pkcs12.certPbeIterationCount", "keystore.pkcs12.macIterationCount"};
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                store.setCertificateEntry("anchor" + i, certificates[i]);
            }
            if (password == null) {
                System.setProperty(properties[0], "NONE");
                System.setProperty(properties[1], "NONE");
            } else {
                System.setProperty(properties[2], "10");
                System.setProperty(properties[3], "10");
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password == null ? null : password.toCharArray());
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            for (String property : properties) {
                System.clearProperty(property);
            }
        }
    }

    /**
     * Writes a key store (type PKCS12 or JKS) with one private-key entry per subject: a fresh EC key and a certificate
     * the issuer signs for it. PKCS12 key derivation runs few iterations, so that tests stay fast.
     */
    public static Path writeKeyStore(Path file, String type, String password, Authority issuer, String... subjects) {
        String[] properties = {"keystore.pkcs12.certPbeIterationCount", "keystore.pkcs12.macIterationCount",
            "keystore.pkcs12.keyPbeIterationCount"};
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            for (int i = 0; i < subjects.length; i++) {
                KeyPair key = ecKey("secp256r1");
                X509Certificate certificate = issuer.issue(subjects[i], key).build();
                store.setKeyEntry("key" + i, key.getPrivate(), password.toCharArray(), new X509Certificate[] {certificate, issuer.certificate});
            }
            for (String property : properties) {
                System.setProperty(property, "10");
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            for (String property : properties) {
                System.clearProperty(property);
            }
        }
    }

    /** RFC 4514 name of a certificate's subject, as the verifier's messages print it. */
    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** Lower-case hex SHA-256 of the certificate's SubjectPublicKeyInfo. */
    static String spkiSha256(X509Certificate certificate) {
        return digest(certificate.getPublicKey().getEncoded());
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding. */
    static String certificateSha256(X509Certificate certificate) {
        try {
            return digest(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digest(byte[] data) {
        try {
            return Hex.toHexString(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signature algorithm a key signs with by default: SHA256withRSA or SHA256withECDSA. */
    private static String defaultSignature(PrivateKey key) {
        return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }

    /** A certification authority: its key and its certificate (self-signed for a root). */
    public static final class Authority {
        final String dn;
        final KeyPair key;
        public final X509Certificate certificate;

        private Authority(String dn, KeyPair key, X509Certificate certificate) {
            this.dn = dn;
            this.key = key;
            this.certificate = certificate;
        }

        /** A self-signed root, valid a year either side of {@link #T}. */
        public static Authority root(String dn, KeyPair key) {
            return root(dn, key, defaultSignature(key.getPrivate()));
        }

        static Authority root(String dn, KeyPair key, String signatureAlgorithm) {
            X509Certificate certificate = new Leaf(dn, key, dn, key.getPrivate()).ca().signedWith(signatureAlgorithm).build();
            return new Authority(dn, key, certificate);
        }

        /** A CA this one issued, valid a year either side of {@link #T}. */
        Authority intermediate(String subjectDn, KeyPair subjectKey) {
            return new Authority(subjectDn, subjectKey, issue(subjectDn, subjectKey).ca().build());
        }

        /** A CA this one issued, customised (dates, key, signature); {@link Leaf#ca()} is already set. */
        Authority intermediate(String subjectDn, KeyPair subjectKey, java.util.function.UnaryOperator<Leaf> settings) {
            return new Authority(subjectDn, subjectKey, settings.apply(issue(subjectDn, subjectKey).ca()).build());
        }

        /** A client certificate this CA issues: clientAuth, digitalSignature, valid from T-30d to T+365d. */
        Leaf issue(String subjectDn, KeyPair subjectKey) {
            return new Leaf(subjectDn, subjectKey, dn, key.getPrivate());
        }

        public Leaf issue(String subjectDn) {
            return issue(subjectDn, LEAF_KEY);
        }
    }

    /** One EC key shared by leaves whose key does not matter to the test. */
    static final KeyPair LEAF_KEY = ecKey();

    /** A certificate to be built: a client certificate by default, every flaw a test needs on request. */
    public static final class Leaf {
        private final String subjectDn;
        private final KeyPair subjectKey;
        private final String issuerDn;
        private final PrivateKey issuerKey;
        private Instant notBefore = T.minus(30, ChronoUnit.DAYS);
        private Instant notAfter = T.plus(365, ChronoUnit.DAYS);
        private String signatureAlgorithm;
        private KeyPurposeId[] purposes = {KeyPurposeId.id_kp_clientAuth};
        private Integer keyUsage = KeyUsage.digitalSignature;
        private boolean ca;
        private final List<String> ocsp = new ArrayList<>();
        private final List<String> crls = new ArrayList<>();
        private GeneralName[] altNames;
        private BigInteger serial = BigInteger.valueOf(SERIAL.getAndIncrement());

        /** A certificate with this subject and key, issued (signed) by the issuer's name and private key. */
        Leaf(String subjectDn, KeyPair subjectKey, String issuerDn, PrivateKey issuerKey) {
            this.subjectDn = subjectDn;
            this.subjectKey = subjectKey;
            this.issuerDn = issuerDn;
            this.issuerKey = issuerKey;
            this.signatureAlgorithm = defaultSignature(issuerKey);
        }

        /** Self-signed: issued by its own name and key. */
        static Leaf selfSigned(String dn, KeyPair key) {
            return new Leaf(dn, key, dn, key.getPrivate());
        }

        Leaf valid(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        Leaf signedWith(String algorithm) {
            this.signatureAlgorithm = algorithm;
            return this;
        }

        /** The extendedKeyUsage purposes; none at all: an extension with no purpose is not possible, see {@link #noExtendedKeyUsage()}. */
        Leaf purposes(KeyPurposeId... purposes) {
            this.purposes = purposes;
            return this;
        }

        Leaf noExtendedKeyUsage() {
            this.purposes = null;
            return this;
        }

        /** The keyUsage bits (KeyUsage.digitalSignature | ...). */
        Leaf keyUsage(int bits) {
            this.keyUsage = bits;
            return this;
        }

        Leaf noKeyUsage() {
            this.keyUsage = null;
            return this;
        }

        /** A CA certificate: basicConstraints CA, keyCertSign and cRLSign, no extendedKeyUsage, valid T-1y..T+1y. */
        Leaf ca() {
            this.ca = true;
            this.purposes = null;
            this.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
            this.notBefore = T.minus(365, ChronoUnit.DAYS);
            this.notAfter = T.plus(365, ChronoUnit.DAYS);
            return this;
        }

        /** An OCSP responder in the authorityInfoAccess extension. */
        Leaf ocsp(String uri) {
            this.ocsp.add(uri);
            return this;
        }

        /** A CRL distribution point. */
        Leaf crl(String uri) {
            this.crls.add(uri);
            return this;
        }

        /** The subjectAltName entries (see {@link TestCertificates#dns}); none: no subjectAltName extension. */
        Leaf altNames(GeneralName... names) {
            this.altNames = names.length == 0 ? null : names.clone();
            return this;
        }

        /** A server certificate: serverAuth, digitalSignature and keyEncipherment, with these subjectAltName entries. */
        public Leaf server(GeneralName... names) {
            this.purposes = new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
            this.keyUsage = KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
            return altNames(names);
        }

        Leaf serial(long serial) {
            this.serial = BigInteger.valueOf(serial);
            return this;
        }

        public X509Certificate build() {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(standard(issuerDn), serial, Date.from(notBefore),
                Date.from(notAfter), standard(subjectDn), subjectKey.getPublic());
            try {
                if (ca) {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                }
                if (keyUsage != null) {
                    builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                }
                if (purposes != null) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
                }
                if (altNames != null) {
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
                }
                if (!ocsp.isEmpty()) {
                    AccessDescription[] descriptions = ocsp.stream()
                        .map(uri -> new AccessDescription(AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, uri)))
                        .toArray(AccessDescription[]::new);
                    builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(descriptions));
                }
                if (!crls.isEmpty()) {
                    DistributionPoint[] points = crls.stream()
                        .map(uri -> new DistributionPoint(new DistributionPointName(new GeneralNames(
                            new GeneralName(GeneralName.uniformResourceIdentifier, uri))), null, null))
                        .toArray(DistributionPoint[]::new);
                    builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(points));
                }
                return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(issuerKey)));
            } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
