package io.tlsgate.delivery;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * The fate of every recipient of one mail after one attempt over all its MX hosts: delivered, refused for good
 * (bounce), or left for a later attempt. Every recipient is in exactly one list.
 */
final class DeliveryOutcome {
    final List<MailAddress> delivered;
    final List<MailAddress> permanent;
    final List<MailAddress> temporary;
    /** DSN text of the failures of the temporary recipients: status first ("4.7.0 ..."), then which host said what. */
    final String reason;
    /** The same for the permanent recipients ("5.1.1 ..."): a server may refuse some recipients for good, others for now. */
    final String permanentReason;
    final Optional<Integer> smtpCode;

    DeliveryOutcome(List<MailAddress> delivered, List<MailAddress> permanent, List<MailAddress> temporary, String reason,
                    Optional<Integer> smtpCode) {
        this(delivered, permanent, temporary, reason, reason, smtpCode);
    }

    DeliveryOutcome(List<MailAddress> delivered, List<MailAddress> permanent, List<MailAddress> temporary, String reason,
                    String permanentReason, Optional<Integer> smtpCode) {
        this.delivered = List.copyOf(delivered);
        this.permanent = List.copyOf(permanent);
        this.temporary = List.copyOf(temporary);
        this.reason = reason;
        this.permanentReason = permanentReason;
        this.smtpCode = smtpCode;
    }

    static DeliveryOutcome temporaryFailure(List<MailAddress> recipients, String reason) {
        return new DeliveryOutcome(List.of(), List.of(), recipients, reason, Optional.empty());
    }

    static DeliveryOutcome permanentFailure(List<MailAddress> recipients, String reason) {
        return new DeliveryOutcome(List.of(), recipients, List.of(), reason, Optional.empty());
    }

    @Override
    public String toString() {
        return "delivered=" + delivered + " permanent=" + permanent + " temporary=" + temporary + (reason.isEmpty() ? "" : " reason=" + reason)
            + (permanentReason.equals(reason) ? "" : " permanentReason=" + permanentReason);
    }
}
