package io.tlsgate.policy;

import java.util.function.Supplier;

/**
 * Told of every decision the gate takes, inbound and outbound (metrics, the refusal log). Called on the SMTP or
 * delivery thread: implementations must be quick and must not throw.
 */
public interface DecisionListener {
    /** A listener that does nothing: the gate without its admin surface. */
    DecisionListener NONE = decision -> { };

    void decided(Decision decision);

    /** Runs one certificate chain verification; a listener may time it. */
    default <T> T verifying(Supplier<T> verification) {
        return verification.get();
    }
}
