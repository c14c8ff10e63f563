package io.tlsgate.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a policy evaluation: accept, or refuse with a reason and the SMTP reply that says so.
 *
 * <p>Replies: a temporary refusal is {@code 454 4.7.0}, a permanent one {@code 554 5.7.0}; a required TLS
 * that was never started is {@code 530 5.7.0} (RFC 3207), or {@code 454 4.7.0} when the rule makes it
 * temporary. With {@link ReplyCodes#SENDMAIL} the codes are Sendmail's: {@code 403} and {@code 503}.
 */
public final class Verdict {
    private static final Verdict ACCEPT = new Verdict(null, false, null, null, "", false);

    private final RefusalReason reason;
    private final boolean temporary;
    private final String replyCode;
    private final String enhancedStatus;
    private final String text;
    private final boolean closesConnection;

    private Verdict(RefusalReason reason, boolean temporary, String replyCode, String enhancedStatus, String text,
                    boolean closesConnection) {
        this.reason = reason;
        this.temporary = temporary;
        this.replyCode = replyCode;
        this.enhancedStatus = enhancedStatus;
        this.text = text;
        this.closesConnection = closesConnection;
    }

    public static Verdict accept() {
        return ACCEPT;
    }

    public static Verdict refuse(RefusalReason reason, TlsRequirement.Failure failure, String text,
                                 TlsRequirement.AfterRefusal afterRefusal) {
        return refuse(reason, failure, text, afterRefusal, ReplyCodes.STANDARD);
    }

    /** A refusal with the reply codes of {@code codes} (standard, or Sendmail's 403 / 503). */
    public static Verdict refuse(RefusalReason reason, TlsRequirement.Failure failure, String text,
                                 TlsRequirement.AfterRefusal afterRefusal, ReplyCodes codes) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(text, "text");
        boolean temporary = failure == TlsRequirement.Failure.TEMPORARY;
        String code = codes.code(temporary, reason);
        return new Verdict(reason, temporary, code, temporary ? "4.7.0" : "5.7.0", text,
            afterRefusal == TlsRequirement.AfterRefusal.DISCONNECT);
    }

    /** The same refusal with {@code prefix} before its text (e.g. which rule refused); an acceptance unchanged. */
    public Verdict prefixed(String prefix) {
        return accepted() ? this : new Verdict(reason, temporary, replyCode, enhancedStatus, prefix + text, closesConnection);
    }

    public boolean accepted() {
        return reason == null;
    }

    public Optional<RefusalReason> reason() {
        return Optional.ofNullable(reason);
    }

    public boolean temporary() {
        return temporary;
    }

    /** The SMTP reply code, e.g. "454"; empty for an accepting verdict. */
    public String replyCode() {
        return accepted() ? "" : replyCode;
    }

    /** The RFC 3463 enhanced status code, e.g. "4.7.0"; empty for an accepting verdict. */
    public String enhancedStatus() {
        return accepted() ? "" : enhancedStatus;
    }

    /** Why, in words, e.g. "encryption too weak: 112 bits, 128 required". */
    public String text() {
        return text;
    }

    /** Whether the connection is closed after the refusal is sent. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** The reply line as the peer sees it, e.g. "454 4.7.0 encryption too weak: 112 bits, 128 required". */
    public String reply() {
        return accepted() ? "" : replyCode + " " + enhancedStatus + " " + text;
    }

    @Override
    public String toString() {
        return accepted() ? "accept" : "refuse(" + reason.label() + "): " + reply() + (closesConnection ? " [disconnect]" : "");
    }
}
