package io.tlsgate.delivery;

import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

import javax.net.ssl.SSLContext;

import io.tlsgate.pki.ClientCredentials;

/**
 * The relay's TLS contexts, made once per client certificate (and once without) instead of once per connection: a
 * profile showed making and initialising a context on every attempt. A context holds no trust decision (every
 * certificate passes the handshake and the policy judges it after, resumed session or not), only our own key, so
 * sharing it between attempts with the same certificate changes nothing that is checked. Credentials of a replaced
 * policy are let go with it.
 */
final class TlsContexts {
    private final SSLContext withoutCertificate = PolicySocketFactory.context(null);
    /** By identity: ClientCredentials does not define equality, and each policy load makes its own. */
    private final Map<ClientCredentials, SSLContext> byCertificate = new WeakHashMap<>();

    SSLContext of(Optional<ClientCredentials> certificate) {
        if (certificate.isEmpty()) {
            return withoutCertificate;
        }
        synchronized (byCertificate) {
            return byCertificate.computeIfAbsent(certificate.get(), c -> PolicySocketFactory.context(c.keyManagers()));
        }
    }
}
