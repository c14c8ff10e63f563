package io.tlsgate.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.util.encoders.Hex;

import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.PeerCertificate;

/** Reads the identity the policy checks (names and fingerprint) out of X.509 certificates. */
public final class CertificateIdentityReader {
    private static final int SAN_DNS_NAME = 2;

    private CertificateIdentityReader() {
    }

    /** The identity of each certificate of a peer chain, its own first; non-X.509 entries are refused. */
    public static List<PeerCertificate> readChain(Certificate[] chain) {
        List<PeerCertificate> identities = new ArrayList<>(chain.length);
        for (Certificate certificate : chain) {
            if (!(certificate instanceof X509Certificate)) {
                throw new IllegalArgumentException("not an X.509 certificate: " + certificate.getType());
            }
            identities.add(read((X509Certificate) certificate));
        }
        return identities;
    }

    public static PeerCertificate read(X509Certificate certificate) {
        return new PeerCertificate(
            DistinguishedName.of(certificate.getSubjectX500Principal()),
            DistinguishedName.of(certificate.getIssuerX500Principal()),
            commonNames(certificate),
            dnsNames(certificate),
            sha256(encoded(certificate)),
            sha256(certificate.getPublicKey().getEncoded()));
    }

    private static List<String> commonNames(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        List<String> names = new ArrayList<>();
        for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
            for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
                if (BCStyle.CN.equals(value.getType())) {
                    // The plain string, not IETFUtils' escaped RFC 4514 form: "Foo, Inc" must stay as written.
                    names.add(value.getValue() instanceof ASN1String
                        ? ((ASN1String) value.getValue()).getString()
                        : IETFUtils.valueToString(value.getValue()));
                }
            }
        }
        return names;
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subjectAltName: " + e.getMessage(), e);
        }
        if (alternatives == null && certificate.getExtensionValue(Extension.subjectAlternativeName.getId()) != null) {
            // JDK 17 answers null, not an exception, for a non-critical subjectAltName it cannot parse (JDK 25 throws).
            throw new IllegalArgumentException("unreadable subjectAltName: the extension does not hold a list of names");
        }
        List<String> names = new ArrayList<>();
        if (alternatives != null) {
            for (List<?> alternative : alternatives) {
                if (alternative.size() >= 2 && Integer.valueOf(SAN_DNS_NAME).equals(alternative.get(0))) {
                    names.add(String.valueOf(alternative.get(1)));
                }
            }
        }
        return names;
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode certificate: " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256, the form pins and log lines use. */
    static String sha256(byte[] data) {
        try {
            return Hex.toHexString(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
