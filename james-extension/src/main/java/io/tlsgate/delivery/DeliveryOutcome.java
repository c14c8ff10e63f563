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
    /** DSN text of the failures: status first ("5.7.0 ..."), then which host said what. */
    final String reason;
    final Optional<Integer> smtpCode;

    DeliveryOutcome(List<MailAddress> delivered, List<MailAddress> permanent, List<MailAddress> temporary, String reason,
                    Optional<Integer> smtpCode) {
        this.delivered = List.copyOf(delivered);
        this.permanent = List.copyOf(permanent);
        this.temporary = List.copyOf(temporary);
        this.reason = reason;
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
        return "delivered=" + delivered + " permanent=" + permanent + " temporary=" + temporary + (reason.isEmpty() ? "" : " reason=" + reason);
    }
}
