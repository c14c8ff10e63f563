package io.tlsgate.smtp;

import java.util.Optional;

import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.TlsRequirement;

/** The rule that applies to a connected client, and the confirmed host name it was looked up with. */
final class ClientRule {
    final Optional<String> confirmedName;
    final PeerTable.Match<TlsRequirement> match;

    ClientRule(Optional<String> confirmedName, PeerTable.Match<TlsRequirement> match) {
        this.confirmedName = confirmedName;
        this.match = match;
    }
}
