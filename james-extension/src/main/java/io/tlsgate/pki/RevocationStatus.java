package io.tlsgate.pki;

import java.time.Instant;
import java.util.Objects;

/** What one source said about one certificate: good, revoked (when and why), or unknown (why not). */
public final class RevocationStatus {
    public enum State { GOOD, REVOKED, UNKNOWN }

    private final State state;
    private final String source;
    private final String detail;
    private final Instant validUntil;

    private RevocationStatus(State state, String source, String detail, Instant validUntil) {
        this.state = state;
        this.source = source;
        this.detail = detail;
        this.validUntil = validUntil;
    }

    /** @param validUntil when the answer stops being fresh (the CRL's or OCSP response's nextUpdate) */
    public static RevocationStatus good(String source, Instant validUntil) {
        return new RevocationStatus(State.GOOD, source, "", validUntil);
    }

    public static RevocationStatus revoked(String source, Instant when, String reason, Instant validUntil) {
        return new RevocationStatus(State.REVOKED, source, "revoked on " + when + (reason.isEmpty() ? "" : " (" + reason + ")"), validUntil);
    }

    public static RevocationStatus unknown(String why) {
        return new RevocationStatus(State.UNKNOWN, "", Objects.requireNonNull(why), Instant.MIN);
    }

    public State state() {
        return state;
    }

    /** Which source answered, e.g. "CRL of CN=Partner CA" or "OCSP http://ocsp.partner.example". */
    public String source() {
        return source;
    }

    public String detail() {
        return detail;
    }

    public Instant validUntil() {
        return validUntil;
    }

    @Override
    public String toString() {
        switch (state) {
            case GOOD:
                return "good (" + source + ")";
            case REVOKED:
                return detail + " per " + source;
            default:
                return "unknown: " + detail;
        }
    }
}
