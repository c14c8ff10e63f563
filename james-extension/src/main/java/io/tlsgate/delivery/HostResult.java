package io.tlsgate.delivery;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;

/** What one connection to one MX achieved. */
final class HostResult {

    enum Kind {
        /** Every recipient handed over. */
        DELIVERED,
        /** Some recipients handed over, some refused for good, some left for later (see the lists). */
        PARTIAL,
        /** The TLS policy refused the MX: QUIT was sent, nothing of the mail. The next MX may do better. */
        POLICY_REFUSED,
        /** No usable connection (refused, timed out, handshake failed, bad greeting): try the next MX. */
        UNREACHABLE,
        /** The server refused the transaction (MAIL, DATA, or all recipients): no other MX will think otherwise. */
        REJECTED
    }

    final Kind kind;
    /** "mx1.partner.example[192.0.2.7]:25" */
    final String host;
    /** For the failures: "5.7.0 certificate not trusted: ..." or the server's reply; for PARTIAL, about {@link #unsent}. */
    final String reason;
    /** For PARTIAL: the server's replies to the {@link #refused} recipients. */
    final String refusedReason;
    final boolean permanent;
    final Optional<Integer> smtpCode;
    final List<MailAddress> sent;
    final List<MailAddress> refused;
    final List<MailAddress> unsent;

    private HostResult(Kind kind, String host, String reason, String refusedReason, boolean permanent, Optional<Integer> smtpCode,
                       List<MailAddress> sent, List<MailAddress> refused, List<MailAddress> unsent) {
        this.kind = kind;
        this.host = host;
        this.reason = reason;
        this.refusedReason = refusedReason;
        this.permanent = permanent;
        this.smtpCode = smtpCode;
        this.sent = List.copyOf(sent);
        this.refused = List.copyOf(refused);
        this.unsent = List.copyOf(unsent);
    }

    static HostResult delivered(String host, List<MailAddress> recipients) {
        return new HostResult(Kind.DELIVERED, host, "", "", false, Optional.empty(), recipients, List.of(), List.of());
    }

    /** @param reason the replies to the unsent recipients; @param refusedReason the replies to the refused ones */
    static HostResult partial(String host, List<MailAddress> sent, List<MailAddress> refused, List<MailAddress> unsent,
                              String reason, String refusedReason, boolean permanent, Optional<Integer> code) {
        return new HostResult(Kind.PARTIAL, host, reason, refusedReason, permanent, code, sent, refused, unsent);
    }

    static HostResult policyRefused(String host, String reason, boolean permanent) {
        return new HostResult(Kind.POLICY_REFUSED, host, reason, reason, permanent, Optional.empty(), List.of(), List.of(), List.of());
    }

    static HostResult unreachable(String host, String reason) {
        return new HostResult(Kind.UNREACHABLE, host, reason, reason, false, Optional.empty(), List.of(), List.of(), List.of());
    }

    static HostResult rejected(String host, String reason, boolean permanent, Optional<Integer> code) {
        return new HostResult(Kind.REJECTED, host, reason, reason, permanent, code, List.of(), List.of(), List.of());
    }

    /** Every reason, for logs. */
    String details() {
        return reason.isEmpty() || refusedReason.equals(reason) ? refusedReason : refusedReason.isEmpty() ? reason : refusedReason + "; " + reason;
    }

    /** "host: reason", for bounces and logs. */
    String describe() {
        return host + ": " + reason;
    }

    /** "host: reason" about the recipients that failed for good (for PARTIAL: the refused ones). */
    String describePermanent() {
        return host + ": " + permanentReason();
    }

    /** The reason about the recipients that failed for good. */
    String permanentReason() {
        return refusedReason.isEmpty() ? reason : refusedReason;
    }
}
