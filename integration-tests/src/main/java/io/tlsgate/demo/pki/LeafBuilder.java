package io.tlsgate.demo.pki;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.DERIA5String;
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
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** One end-entity certificate to issue, good by default (clientAuth, RSA 2048, SHA-256, valid for a year). */
public final class LeafBuilder {
    /** Extended key usages a test certificate can carry. */
    public enum Purpose { CLIENT_AUTH, SERVER_AUTH, EMAIL_PROTECTION, OCSP_SIGNING }

    private final CertificateAuthority issuer;
    private final String commonName;
    private String subject;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<String> ipAddresses = new ArrayList<>();
    private KeyType keyType = KeyType.RSA_2048;
    private KeyPair keyPair;
    private String signatureAlgorithm = "SHA256withRSA";
    private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
    private List<Purpose> purposes = List.of(Purpose.CLIENT_AUTH);
    private int keyUsage = KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
    private URI ocsp;
    private URI crl;
    private boolean selfSigned;
    private boolean chainIncludesIssuer = true;

    LeafBuilder(CertificateAuthority issuer, String commonName) {
        this.issuer = issuer;
        this.commonName = commonName;
    }

    public LeafBuilder subject(String rfc4514) {
        this.subject = rfc4514;
        return this;
    }

    public LeafBuilder dnsNames(List<String> names) {
        dnsNames.addAll(names);
        return this;
    }

    public LeafBuilder dnsNames(String... names) {
        return dnsNames(List.of(names));
    }

    public LeafBuilder ipAddresses(List<String> addresses) {
        ipAddresses.addAll(addresses);
        return this;
    }

    public LeafBuilder key(KeyType type) {
        this.keyType = type;
        if (type == KeyType.EC_P256 && signatureAlgorithm.endsWith("withRSA")) {
            // The signature is the issuer's; only a self-signed EC certificate signs with ECDSA.
            this.signatureAlgorithm = selfSigned ? "SHA256withECDSA" : signatureAlgorithm;
        }
        return this;
    }

    /** Uses this key instead of a new one (cheap bulk certificates for benchmarks). */
    public LeafBuilder keyPair(KeyPair keys) {
        this.keyPair = keys;
        return this;
    }

    public LeafBuilder signature(String algorithm) {
        this.signatureAlgorithm = algorithm;
        return this;
    }

    public LeafBuilder validity(Instant from, Instant to) {
        this.notBefore = from;
        this.notAfter = to;
        return this;
    }

    /** No extendedKeyUsage at all when empty. */
    public LeafBuilder purposes(Purpose... purposes) {
        this.purposes = List.of(purposes);
        return this;
    }

    public LeafBuilder keyUsage(int bits) {
        this.keyUsage = bits;
        return this;
    }

    public LeafBuilder ocsp(URI responder) {
        this.ocsp = responder;
        return this;
    }

    public LeafBuilder crlDistributionPoint(URI point) {
        this.crl = point;
        return this;
    }

    /** Signed with its own key, not the issuer's. */
    public LeafBuilder selfSigned() {
        this.selfSigned = true;
        return this;
    }

    /** The chain holds the certificate alone, without its CA's (a client that forgets its intermediate). */
    public LeafBuilder withoutIssuerInChain() {
        this.chainIncludesIssuer = false;
        return this;
    }

    public IssuedCertificate issue() {
        KeyPair keys = keyPair != null ? keyPair : keyType.generate();
        X500Name subjectName = CertificateAuthority.x500(subject != null ? subject : "CN=" + commonName + ",O=TLS Gate Demo");
        X500Name issuerName = selfSigned ? subjectName : issuer.name();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, CertificateAuthority.serial(),
                Date.from(notBefore), Date.from(notAfter), subjectName, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            if (!purposes.isEmpty()) {
                List<KeyPurposeId> ids = new ArrayList<>();
                for (Purpose purpose : purposes) {
                    ids.add(purpose == Purpose.CLIENT_AUTH ? KeyPurposeId.id_kp_clientAuth
                        : purpose == Purpose.SERVER_AUTH ? KeyPurposeId.id_kp_serverAuth
                        : purpose == Purpose.OCSP_SIGNING ? KeyPurposeId.id_kp_OCSPSigning
                        : KeyPurposeId.id_kp_emailProtection);
                }
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ids.toArray(new KeyPurposeId[0])));
            }
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            if (!selfSigned) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.certificate()));
            }
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            }
            if (ocsp != null) {
                builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                    new AccessDescription(AccessDescription.id_ad_ocsp, uri(ocsp))));
            }
            if (crl != null) {
                builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(new DistributionPointName(new GeneralNames(uri(crl))), null, null)}));
            }
            String algorithm = selfSigned && keyType == KeyType.EC_P256 ? "SHA256withECDSA" : signatureAlgorithm;
            X509Certificate certificate = CertificateAuthority.sign(builder, selfSigned ? keys : issuer.keyPair(), algorithm);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate);
            if (!selfSigned && chainIncludesIssuer) {
                chain.addAll(issuer.chain());
            }
            return new IssuedCertificate(keys, chain);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue certificate for " + commonName, e);
        }
    }

    private static GeneralName uri(URI uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(uri.toString()));
    }
}
