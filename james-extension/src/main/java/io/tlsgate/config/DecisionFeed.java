package io.tlsgate.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DecisionListener;

/**
 * Where the gate's handlers and relay mailets report each decision, and from where the admin surface (metrics, the
 * refusal log) hears them. One per James (a singleton of James's extension injector): with no listener subscribed,
 * reporting costs nothing. A listener that throws is logged and never fails a session or a delivery.
 */
@Singleton
public final class DecisionFeed implements DecisionListener {
    private static final Logger LOGGER = LoggerFactory.getLogger(DecisionFeed.class);

    private final List<DecisionListener> listeners = new CopyOnWriteArrayList<>();

    @Inject
    public DecisionFeed() {
    }

    public void subscribe(DecisionListener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(DecisionListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void decided(Decision decision) {
        for (DecisionListener listener : listeners) {
            try {
                listener.decided(decision);
            } catch (RuntimeException e) {
                LOGGER.warn("TLS Gate: a decision listener failed on {}", decision, e);
            }
        }
    }

    /** Each listener may wrap the verification (a timer); the verification itself runs once. */
    @Override
    public <T> T verifying(Supplier<T> verification) {
        Supplier<T> wrapped = verification;
        for (DecisionListener listener : listeners) {
            Supplier<T> inner = wrapped;
            wrapped = () -> listener.verifying(inner);
        }
        return wrapped.get();
    }
}
