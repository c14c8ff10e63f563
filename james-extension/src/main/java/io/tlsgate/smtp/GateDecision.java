package io.tlsgate.smtp;

import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

/** The decision taken for a session at its first command after the TLS handshake; it holds for the session. */
final class GateDecision {
    final PeerTable.Match<TlsRequirement> rule;
    final TlsFacts facts;
    final Verdict verdict;

    GateDecision(PeerTable.Match<TlsRequirement> rule, TlsFacts facts, Verdict verdict) {
        this.rule = rule;
        this.facts = facts;
        this.verdict = verdict;
    }
}
