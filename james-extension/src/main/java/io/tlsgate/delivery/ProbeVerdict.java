package io.tlsgate.delivery;

/**
 * The relay's verdict on one probed server: accepted (the relay would hand it the mail), or refused with the reason
 * and the reply that the relay's DSN and log would carry. Immutable.
 */
public final class ProbeVerdict {
    private final boolean accepted;
    private final boolean temporary;
    private final String reason;
    private final String replyCode;
    private final String enhancedStatus;
    private final String text;
    private final String decidedBy;

    ProbeVerdict(boolean accepted, boolean temporary, String reason, String replyCode, String enhancedStatus, String text,
                 String decidedBy) {
        this.accepted = accepted;
        this.temporary = temporary;
        this.reason = reason;
        this.replyCode = replyCode;
        this.enhancedStatus = enhancedStatus;
        this.text = text;
        this.decidedBy = decidedBy;
    }

    public boolean isAccepted() {
        return accepted;
    }

    /** "accepted", "tempfail" (the relay keeps the mail queued and tries the next MX) or "permfail". */
    public String getStatus() {
        return accepted ? "accepted" : temporary ? "tempfail" : "permfail";
    }

    /** Whether a refusal is temporary; false when accepted. */
    public boolean isTemporary() {
        return temporary;
    }

    /** The refusal reason as logged, e.g. "certificate-untrusted"; null when accepted. */
    public String getReason() {
        return reason;
    }

    /** E.g. "454"; null when accepted. */
    public String getReplyCode() {
        return replyCode;
    }

    /** E.g. "4.7.0"; null when accepted. */
    public String getEnhancedStatus() {
        return enhancedStatus;
    }

    /** Why, in words; empty when accepted. */
    public String getText() {
        return text;
    }

    /** The rule that gave the verdict (on acceptance, the first applying rule), e.g. "mx mx.partner.example". */
    public String getDecidedBy() {
        return decidedBy;
    }

    @Override
    public String toString() {
        return accepted ? "accepted" : getStatus() + "(" + reason + "): " + replyCode + " " + enhancedStatus + " " + text;
    }
}
