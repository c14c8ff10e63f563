package io.tlsgate.config;

import java.util.List;
import java.util.Optional;

import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsRequirement;

/** Everything one inbound gate handler was configured with. */
public final class InboundPolicy {
    private final PeerTable<TlsRequirement> rules;
    private final Optional<VerificationCache> verification;
    private final List<RelayGrant> relayGrants;

    InboundPolicy(PeerTable<TlsRequirement> rules, Optional<VerificationCache> verification, List<RelayGrant> relayGrants) {
        this.rules = rules;
        this.verification = verification;
        this.relayGrants = List.copyOf(relayGrants);
    }

    /** The rule per client, with the default. */
    public PeerTable<TlsRequirement> rules() {
        return rules;
    }

    /** TLS Gate's own certificate verification, when {@code <verification>} is configured. */
    public Optional<VerificationCache> verification() {
        return verification;
    }

    /** Which verified certificates may relay; empty when {@code <relay>} is not configured. */
    public List<RelayGrant> relayGrants() {
        return relayGrants;
    }
}
