package io.tlsgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Inject;
import javax.inject.Singleton;

import io.tlsgate.policy.Direction;

/**
 * The policies in force in this James, one per inbound listener and per relay mailet, and the feed of their
 * decisions. One per James (a singleton of James's extension injector, or a just-in-time singleton when TLS Gate's
 * module is not listed), shared by the handlers, the relay mailets and the admin surface.
 */
@Singleton
public final class PolicyRegistry {
    private final DecisionFeed decisions;
    private final List<RegisteredPolicy<?>> policies = new CopyOnWriteArrayList<>();

    @Inject
    public PolicyRegistry(DecisionFeed decisions) {
        this.decisions = decisions;
    }

    /** A registry of its own, for a handler or mailet made outside Guice (tests). */
    public static PolicyRegistry standalone() {
        return new PolicyRegistry(new DecisionFeed());
    }

    public DecisionFeed decisions() {
        return decisions;
    }

    /**
     * Adds a policy in force. A second policy under a name already taken in the same direction (e.g. two handlers in
     * one listener's chain) gets "#2", "#3"... appended, so each stays reachable.
     *
     * @return the name it was registered under
     */
    public synchronized <P> RegisteredPolicy<P> register(RegisteredPolicy<P> policy) {
        String name = policy.name();
        for (int n = 2; named(policy.direction(), name).isPresent(); n++) {
            name = policy.name() + "#" + n;
        }
        RegisteredPolicy<P> added = name.equals(policy.name()) ? policy : policy.renamed(name);
        policies.add(added);
        return added;
    }

    public synchronized void unregister(RegisteredPolicy<?> policy) {
        policies.removeIf(p -> p == policy);
    }

    /** Inbound ones first, each direction in registration order. */
    public List<RegisteredPolicy<?>> all() {
        List<RegisteredPolicy<?>> all = new ArrayList<>(in(Direction.INBOUND));
        all.addAll(in(Direction.OUTBOUND));
        return all;
    }

    public List<RegisteredPolicy<?>> in(Direction direction) {
        List<RegisteredPolicy<?>> found = new ArrayList<>();
        for (RegisteredPolicy<?> policy : policies) {
            if (policy.direction() == direction) {
                found.add(policy);
            }
        }
        return found;
    }

    public Optional<RegisteredPolicy<?>> named(Direction direction, String name) {
        return in(direction).stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
