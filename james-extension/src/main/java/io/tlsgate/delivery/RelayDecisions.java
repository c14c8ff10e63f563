package io.tlsgate.delivery;

import java.time.Clock;
import java.util.function.Supplier;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.Verdict;

/** Reports a relay mailet's decisions (each MX judged) and its certificate verifications to the decision feed. */
final class RelayDecisions {
    /** For a delivery made outside a relay mailet (tests): reports to no one. */
    static final RelayDecisions NONE = new RelayDecisions("relay", new DecisionFeed());

    private final String mailet;
    private final DecisionFeed feed;
    private final Clock clock = Clock.systemUTC();

    /** @param mailet the relay mailet's name, as registered (its queue) */
    RelayDecisions(String mailet, DecisionFeed feed) {
        this.mailet = mailet;
        this.feed = feed;
    }

    void judged(String domain, String mx, String address, String rules, Verdict verdict) {
        feed.decided(Decision.outbound(clock.instant(), mailet, domain, mx, address, rules, verdict));
    }

    <T> T verifying(Supplier<T> verification) {
        return feed.verifying(verification);
    }
}
