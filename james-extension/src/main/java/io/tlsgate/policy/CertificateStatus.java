package io.tlsgate.policy;

import java.util.Objects;

/**
 * The outcome of checking the peer's certificate, like Sendmail's {verify} macro: OK (verified),
 * NO (no certificate presented), FAIL (presented but not acceptable, with the reason), TEMP (could not be
 * checked now, with the reason) or NONE (no TLS, so nothing to check).
 */
public final class CertificateStatus {

    public enum Outcome { OK, NO, FAIL, TEMP, NONE }

    private static final CertificateStatus NO_CERTIFICATE = new CertificateStatus(Outcome.NO, "no certificate presented");
    private static final CertificateStatus NO_TLS = new CertificateStatus(Outcome.NONE, "no TLS");

    private final Outcome outcome;
    private final String detail;

    private CertificateStatus(Outcome outcome, String detail) {
        this.outcome = outcome;
        this.detail = detail;
    }

    public static CertificateStatus ok(String how) {
        return new CertificateStatus(Outcome.OK, Objects.requireNonNull(how));
    }

    public static CertificateStatus noCertificate() {
        return NO_CERTIFICATE;
    }

    public static CertificateStatus failed(String reason) {
        return new CertificateStatus(Outcome.FAIL, Objects.requireNonNull(reason));
    }

    public static CertificateStatus temporaryFailure(String reason) {
        return new CertificateStatus(Outcome.TEMP, Objects.requireNonNull(reason));
    }

    public static CertificateStatus noTls() {
        return NO_TLS;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** How it was verified (OK) or why it was not (the other outcomes). */
    public String detail() {
        return detail;
    }

    public boolean isVerified() {
        return outcome == Outcome.OK;
    }

    @Override
    public String toString() {
        return outcome + (outcome == Outcome.OK || outcome == Outcome.FAIL || outcome == Outcome.TEMP ? " (" + detail + ")" : "");
    }
}
