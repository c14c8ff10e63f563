package io.tlsgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Relay by client certificate, like Postfix's {@code relay_clientcerts} or Sendmail's {@code CertIssuer:} /
 * {@code CertSubject:} RELAY: a verified certificate matching every constraint (and one of the pins, when pins
 * are given) may relay, optionally as a James user so the mail counts as authenticated.
 */
public final class RelayGrant {
    private final List<IdentityConstraint> identity;
    private final List<CertificatePin> pins;
    private final Optional<String> user;

    /** @throws IllegalArgumentException when it names no constraint and no pin: that would be every certificate */
    public RelayGrant(List<IdentityConstraint> identity, List<CertificatePin> pins, Optional<String> user) {
        if (identity.isEmpty() && pins.isEmpty()) {
            throw new IllegalArgumentException("a relay grant needs at least one identity constraint or pin; it would"
                + " otherwise let every verified certificate relay");
        }
        this.identity = List.copyOf(identity);
        this.pins = List.copyOf(pins);
        this.user = Objects.requireNonNull(user);
    }

    /** Whether a chain (own certificate first) matches; verification is the caller's business. */
    public boolean matches(List<PeerCertificate> chain) {
        if (chain.isEmpty()) {
            return false;
        }
        for (IdentityConstraint constraint : identity) {
            if (constraint.mismatch(chain.get(0)).isPresent()) {
                return false;
            }
        }
        if (pins.isEmpty()) {
            return true;
        }
        for (PeerCertificate certificate : chain) {
            for (CertificatePin pin : pins) {
                if (pin.matches(certificate)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The James user the session is authenticated as, if any. */
    public Optional<String> user() {
        return user;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        identity.forEach(c -> parts.add(c.toString()));
        pins.forEach(p -> parts.add(p.toString()));
        user.ifPresent(u -> parts.add("as " + u));
        return "relay[" + String.join("; ", parts) + "]";
    }
}
