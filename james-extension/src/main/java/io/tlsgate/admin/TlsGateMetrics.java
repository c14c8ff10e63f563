package io.tlsgate.admin;

import java.util.Locale;
import java.util.function.Supplier;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.MetricFactory;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DecisionListener;

/**
 * TLS Gate's metrics, through James's {@link MetricFactory} so they appear wherever James exports its own (JMX,
 * Prometheus at WebAdmin {@code /metrics}): a counter per direction and verdict, one per direction, verdict and
 * refusal reason, and timers for certificate verification and for probes. Names use dots and underscores only
 * (Prometheus allows no hyphens).
 */
@Singleton
public final class TlsGateMetrics implements DecisionListener {
    public static final String PREFIX = "tlsgate.";
    public static final String VERIFICATION = "tlsgate.verification";
    public static final String PROBE = "tlsgate.probe";

    private final MetricFactory metrics;

    /** Listens to the feed from its creation: one per James. */
    @Inject
    public TlsGateMetrics(MetricFactory metrics, DecisionFeed feed) {
        this.metrics = metrics;
        feed.subscribe(this);
    }

    /** "tlsgate.inbound.tempfail", and for a refusal also "tlsgate.inbound.tempfail.cipher_too_weak". */
    public static String counter(Decision decision) {
        return PREFIX + decision.directionName() + "." + decision.outcome();
    }

    @Override
    public void decided(Decision decision) {
        String counter = counter(decision);
        metrics.generate(counter).increment();
        decision.verdict().reason().ifPresent(reason -> metrics.generate(counter + "." + reason.name().toLowerCase(Locale.ROOT)).increment());
    }

    @Override
    public <T> T verifying(Supplier<T> verification) {
        return metrics.decorateSupplierWithTimerMetric(VERIFICATION, verification);
    }

    public <T> T probing(Supplier<T> probe) {
        return metrics.decorateSupplierWithTimerMetric(PROBE, probe);
    }
}
