package io.tlsgate.delivery;

import java.util.List;

/** What one TLS handshake with a probed server negotiated, and how its certificate verified. Immutable. */
public final class ProbedTls {
    private final String protocol;
    private final String cipherSuite;
    private final Integer bits;
    private final List<ProbedCertificate> chain;
    private final String verification;
    private final String verificationDetail;

    ProbedTls(String protocol, String cipherSuite, Integer bits, List<ProbedCertificate> chain, String verification,
              String verificationDetail) {
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.bits = bits;
        this.chain = List.copyOf(chain);
        this.verification = verification;
        this.verificationDetail = verificationDetail;
    }

    /** As the TLS stack names it, e.g. "TLSv1.3". */
    public String getProtocol() {
        return protocol;
    }

    /** E.g. "TLS_AES_256_GCM_SHA384". */
    public String getCipherSuite() {
        return cipherSuite;
    }

    /** Effective symmetric bits of the suite; null when the suite's strength is unknown. */
    public Integer getBits() {
        return bits;
    }

    /** The certificates the server presented, its own first. */
    public List<ProbedCertificate> getChain() {
        return chain;
    }

    /**
     * The certificate check under the deciding rule, as Sendmail's {verify}: OK, FAIL, NO (no certificate), TEMP (could
     * not be checked now).
     */
    public String getVerification() {
        return verification;
    }

    /** How it verified, or why not, e.g. "certificate not trusted: ...". */
    public String getVerificationDetail() {
        return verificationDetail;
    }

    @Override
    public String toString() {
        return protocol + " " + cipherSuite + " " + (bits == null ? "unknown strength" : bits + " bits") + " verify=" + verification;
    }
}
