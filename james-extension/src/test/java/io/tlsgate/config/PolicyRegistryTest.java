package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DecisionListener;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.RefusalReason;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

class PolicyRegistryTest {
    private static RegisteredPolicy<String> policy(String name, Direction direction) {
        return new RegisteredPolicy<>(name, direction, String.class, () -> "rules of " + name, Optional.empty(), Instant.EPOCH,
            p -> p, p -> 3);
    }

    @Test
    void policiesAreListedInboundFirstAndFoundByDirectionAndName() {
        PolicyRegistry registry = PolicyRegistry.standalone();
        registry.register(policy("outgoing", Direction.OUTBOUND));
        registry.register(policy("smtpserver-mx", Direction.INBOUND));
        registry.register(policy("smtpserver-submission", Direction.INBOUND));

        assertThat(registry.all()).extracting(RegisteredPolicy::name)
            .containsExactly("smtpserver-mx", "smtpserver-submission", "outgoing");
        assertThat(registry.named(Direction.INBOUND, "smtpserver-mx")).isPresent();
        assertThat(registry.named(Direction.OUTBOUND, "smtpserver-mx")).isEmpty();
        RegisteredPolicy<?> found = registry.named(Direction.INBOUND, "smtpserver-submission").orElseThrow();
        assertThat(found.source()).isEqualTo("inline");
        assertThat(found.loadedAt()).isEqualTo(Instant.EPOCH);
        assertThat(found.summary()).isEqualTo("rules of smtpserver-submission");
        assertThat(found.ruleKeys()).isEqualTo(3);
        assertThat(found.policy(String.class)).contains("rules of smtpserver-submission");
        assertThat(found.policy(Integer.class)).isEmpty();
        assertThat(found.reload().status()).as("inline rules never change").isEqualTo(ReloadingPolicy.Reload.Status.UNCHANGED);
    }

    @Test
    void aSecondPolicyUnderATakenNameIsNumberedAndUnregisteringRemovesOnlyThatOne() {
        PolicyRegistry registry = PolicyRegistry.standalone();
        RegisteredPolicy<String> first = registry.register(policy("inbound", Direction.INBOUND));
        RegisteredPolicy<String> second = registry.register(policy("inbound", Direction.INBOUND));
        RegisteredPolicy<String> outbound = registry.register(policy("inbound", Direction.OUTBOUND));

        assertThat(first.name()).isEqualTo("inbound");
        assertThat(second.name()).isEqualTo("inbound#2");
        assertThat(outbound.name()).as("names are per direction").isEqualTo("inbound");
        registry.unregister(first);
        assertThat(registry.all()).extracting(RegisteredPolicy::name).containsExactly("inbound#2", "inbound");
    }

    @Test
    void theFeedTellsEveryListenerSurvivesOneThatThrowsAndRunsAVerificationOnce() {
        DecisionFeed feed = new DecisionFeed();
        List<Decision> heard = new ArrayList<>();
        AtomicInteger wrapped = new AtomicInteger();
        feed.subscribe(d -> {
            throw new IllegalStateException("broken listener");
        });
        feed.subscribe(new DecisionListener() {
            @Override
            public void decided(Decision decision) {
                heard.add(decision);
            }

            @Override
            public <T> T verifying(Supplier<T> verification) {
                wrapped.incrementAndGet();
                return verification.get();
            }
        });
        Verdict refusal = Verdict.refuse(RefusalReason.CIPHER_TOO_WEAK, TlsRequirement.Failure.TEMPORARY, "too weak",
            TlsRequirement.AfterRefusal.REFUSE);
        Decision decision = Decision.inbound(Instant.EPOCH, "smtpserver-mx", "192.0.2.7", Optional.empty(), Optional.of("client.example"),
            "default", refusal);
        feed.decided(decision);
        assertThat(heard).containsExactly(decision);
        assertThat(decision.outcome()).isEqualTo("tempfail");

        AtomicInteger runs = new AtomicInteger();
        assertThat(feed.verifying(() -> runs.incrementAndGet())).isEqualTo(1);
        assertThat(runs).hasValue(1);
        assertThat(wrapped).hasValue(1);
    }
}
