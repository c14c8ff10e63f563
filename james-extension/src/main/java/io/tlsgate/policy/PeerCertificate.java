package io.tlsgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * The identity a certificate claims, as the policy needs it: subject and issuer distinguished names,
 * the subject's common names, the DNS names of its subjectAltName, and SHA-256 digests of the certificate and
 * of its public key (SPKI) for pins. The pki layer reads it from an X.509 certificate; the policy never parses
 * certificates itself.
 */
public final class PeerCertificate {
    private final DistinguishedName subject;
    private final DistinguishedName issuer;
    private final List<String> commonNames;
    private final List<String> dnsNames;
    private final String sha256Fingerprint;
    private final String spkiSha256;

    public PeerCertificate(DistinguishedName subject, DistinguishedName issuer, List<String> commonNames,
                           List<String> dnsNames, String sha256Fingerprint, String spkiSha256) {
        this.subject = Objects.requireNonNull(subject, "subject");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.commonNames = List.copyOf(commonNames);
        this.dnsNames = List.copyOf(dnsNames);
        this.sha256Fingerprint = Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint");
        this.spkiSha256 = Objects.requireNonNull(spkiSha256, "spkiSha256");
    }

    public DistinguishedName subject() {
        return subject;
    }

    public DistinguishedName issuer() {
        return issuer;
    }

    public List<String> commonNames() {
        return commonNames;
    }

    public List<String> dnsNames() {
        return dnsNames;
    }

    /** Lower-case hex SHA-256 of the DER encoding, without separators. */
    public String sha256Fingerprint() {
        return sha256Fingerprint;
    }

    /** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo, without separators. */
    public String spkiSha256() {
        return spkiSha256;
    }

    @Override
    public String toString() {
        return "subject=" + subject + " issuer=" + issuer + (dnsNames.isEmpty() ? "" : " dns=" + dnsNames);
    }
}
