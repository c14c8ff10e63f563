package io.tlsgate.smtp;

import java.util.Optional;

import io.tlsgate.config.InboundPolicy;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.TlsRequirement;

/**
 * The rule that applies to a connected client, the confirmed host name it was looked up with, and the policy it was
 * taken from (the session keeps it across policy reloads).
 */
final class ClientRule {
    final InboundPolicy policy;
    final Optional<String> confirmedName;
    final PeerTable.Match<TlsRequirement> match;

    ClientRule(InboundPolicy policy, Optional<String> confirmedName, PeerTable.Match<TlsRequirement> match) {
        this.policy = policy;
        this.confirmedName = confirmedName;
        this.match = match;
    }
}
