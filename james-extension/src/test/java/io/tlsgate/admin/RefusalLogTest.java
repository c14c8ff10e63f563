package io.tlsgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.RefusalReason;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

class RefusalLogTest {
    private static Decision refusal(int n) {
        return Decision.inbound(Instant.ofEpochSecond(n), "smtpserver-mx", "192.0.2." + n, Optional.empty(), Optional.empty(), "default",
            Verdict.refuse(RefusalReason.TLS_MISSING, TlsRequirement.Failure.PERMANENT, "Must issue a STARTTLS command first",
                TlsRequirement.AfterRefusal.REFUSE));
    }

    @Test
    void keepsTheLastRefusalsNewestFirstAndDropsTheOldest() {
        RefusalLog log = new RefusalLog(3);
        for (int n = 1; n <= 5; n++) {
            log.decided(refusal(n));
        }
        assertThat(log.latest(10)).extracting(Decision::peerAddress).containsExactly("192.0.2.5", "192.0.2.4", "192.0.2.3");
        assertThat(log.latest(2)).extracting(Decision::peerAddress).containsExactly("192.0.2.5", "192.0.2.4");
    }

    @Test
    void acceptedSessionsAreNotRefusals() {
        DecisionFeed feed = new DecisionFeed();
        RefusalLog log = new RefusalLog(feed);
        feed.decided(Decision.outbound(Instant.EPOCH, "outgoing-tlsgate", "example.com", "mx.example.com", "192.0.2.9", "default",
            Verdict.accept()));
        feed.decided(refusal(7));
        assertThat(log.size()).isEqualTo(RefusalLog.DEFAULT_SIZE);
        assertThat(log.latest(RefusalLog.DEFAULT_SIZE)).extracting(Decision::peerAddress).containsExactly("192.0.2.7");
    }

    @Test
    void aLogHoldsAtLeastOneRefusal() {
        assertThatThrownBy(() -> new RefusalLog(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the refusal log must hold at least one refusal, got 0");
    }
}
