package io.tlsgate.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.tlsgate.policy.Direction;

/**
 * A policy in force where the gate decides: an inbound listener's or a relay mailet's, read from a file (and then
 * reloadable) or written inline (fixed).
 */
public final class RegisteredPolicy<P> {
    private final String name;
    private final Direction direction;
    private final Class<P> type;
    private final Supplier<P> current;
    private final Optional<ReloadingPolicy<P>> reloading;
    private final Instant registered;
    private final Function<P, String> summary;
    private final Function<P, Integer> ruleKeys;

    /**
     * @param name the listener's name (inbound) or the relay mailet's queue (outbound)
     * @param reloading the policy file's reloader; empty for inline rules
     * @param summary one line about the policy
     * @param ruleKeys how many rule keys the policy has (besides its default)
     */
    public RegisteredPolicy(String name, Direction direction, Class<P> type, Supplier<P> current, Optional<ReloadingPolicy<P>> reloading,
                            Instant registered, Function<P, String> summary, Function<P, Integer> ruleKeys) {
        this.name = Objects.requireNonNull(name, "name");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.type = Objects.requireNonNull(type, "type");
        this.current = Objects.requireNonNull(current, "current");
        this.reloading = Objects.requireNonNull(reloading, "reloading");
        this.registered = Objects.requireNonNull(registered, "registered");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.ruleKeys = Objects.requireNonNull(ruleKeys, "ruleKeys");
    }

    RegisteredPolicy<P> renamed(String newName) {
        return new RegisteredPolicy<>(newName, direction, type, current, reloading, registered, summary, ruleKeys);
    }

    public String name() {
        return name;
    }

    public Direction direction() {
        return direction;
    }

    public P policy() {
        return current.get();
    }

    /** The policy, if it is of {@code wanted}'s type. */
    public <Q> Optional<Q> policy(Class<Q> wanted) {
        return wanted == type ? Optional.of(wanted.cast(current.get())) : Optional.empty();
    }

    /** The policy file (first of the files it was read from), or "inline". */
    public String source() {
        return reloading.map(r -> r.files().keySet().iterator().next().toString()).orElse("inline");
    }

    /** When the policy in force was read. */
    public Instant loadedAt() {
        return reloading.map(ReloadingPolicy::loadedAt).orElse(registered);
    }

    public String summary() {
        return summary.apply(current.get());
    }

    public int ruleKeys() {
        return ruleKeys.apply(current.get());
    }

    public boolean reloadable() {
        return reloading.isPresent();
    }

    /** Reads the policy file now; an inline policy is always unchanged. */
    public ReloadingPolicy.Reload reload() {
        return reloading.map(ReloadingPolicy::reloadNow).orElse(ReloadingPolicy.Reload.unchanged());
    }
}
