package io.tlsgate.config;

import java.util.Optional;

import io.tlsgate.pki.ClientCredentials;
import io.tlsgate.policy.TlsRequirement;

/** What a destination's MX must meet, and the certificate of our own we present to it, if any. */
public final class OutboundRule {
    private final TlsRequirement requirement;
    private final Optional<ClientCredentials> clientCertificate;

    OutboundRule(TlsRequirement requirement, Optional<ClientCredentials> clientCertificate) {
        this.requirement = requirement;
        this.clientCertificate = clientCertificate;
    }

    public TlsRequirement requirement() {
        return requirement;
    }

    public Optional<ClientCredentials> clientCertificate() {
        return clientCertificate;
    }

    @Override
    public String toString() {
        return requirement + clientCertificate.map(c -> " clientCertificate=" + c).orElse("");
    }
}
