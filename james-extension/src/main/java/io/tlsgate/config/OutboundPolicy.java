package io.tlsgate.config;

import java.util.Optional;

import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.DestinationTable;

/** Everything the relay mailet was configured with: the rule per destination and how server certificates are verified. */
public final class OutboundPolicy {
    private final DestinationTable<OutboundRule> rules;
    private final Optional<VerificationCache> verification;

    OutboundPolicy(DestinationTable<OutboundRule> rules, Optional<VerificationCache> verification) {
        this.rules = rules;
        this.verification = verification;
    }

    public DestinationTable<OutboundRule> rules() {
        return rules;
    }

    /** Empty when the policy has no {@code <verification>}: then no server certificate can verify (only pins). */
    public Optional<VerificationCache> verification() {
        return verification;
    }
}
