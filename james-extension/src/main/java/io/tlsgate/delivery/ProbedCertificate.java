package io.tlsgate.delivery;

/** One certificate of a probed server's chain. Immutable. */
public final class ProbedCertificate {
    private final String subject;
    private final String issuer;
    private final String notAfter;
    private final String sha256Fingerprint;

    ProbedCertificate(String subject, String issuer, String notAfter, String sha256Fingerprint) {
        this.subject = subject;
        this.issuer = issuer;
        this.notAfter = notAfter;
        this.sha256Fingerprint = sha256Fingerprint;
    }

    /** The subject distinguished name (RFC 4514), e.g. "CN=mx.partner.example,O=Partner". */
    public String getSubject() {
        return subject;
    }

    public String getIssuer() {
        return issuer;
    }

    /** The end of validity, ISO-8601 UTC, e.g. "2027-01-01T00:00:00Z". */
    public String getNotAfter() {
        return notAfter;
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding, without separators (as pins are written). */
    public String getSha256Fingerprint() {
        return sha256Fingerprint;
    }

    @Override
    public String toString() {
        return "subject=" + subject + " issuer=" + issuer + " notAfter=" + notAfter;
    }
}
