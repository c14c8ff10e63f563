package io.tlsgate.delivery;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;

/**
 * The relay settings a probe connects with, as a mailet configuration, so that James's own
 * {@link RemoteDeliveryConfiguration} turns them into session properties and MX resolution as it does for the relay:
 * the probe's timeouts, and for a host target that host as the gateway (resolved as the relay resolves a gateway).
 */
final class ProbeSettings implements MailetConfig {
    private final Map<String, String> parameters = new LinkedHashMap<>();

    private ProbeSettings(Duration timeout) {
        String millis = String.valueOf(timeout.toMillis());
        parameters.put(RemoteDeliveryConfiguration.TIMEOUT, millis);
        parameters.put(RemoteDeliveryConfiguration.CONNECTIONTIMEOUT, millis);
    }

    /** To the MX hosts of a domain. */
    static ProbeSettings toMx(Duration timeout) {
        return new ProbeSettings(timeout);
    }

    /** To one host name and port, in the relay's gateway order (as configured: no load balancing). */
    static ProbeSettings toHost(Duration timeout, String host, int port) {
        ProbeSettings settings = new ProbeSettings(timeout);
        settings.parameters.put(RemoteDeliveryConfiguration.GATEWAY, host);
        settings.parameters.put(RemoteDeliveryConfiguration.GATEWAY_PORT, String.valueOf(port));
        settings.parameters.put(RemoteDeliveryConfiguration.LOAD_BALANCING, "false");
        return settings;
    }

    @Override
    public String getInitParameter(String name) {
        return parameters.get(name);
    }

    @Override
    public Iterator<String> getInitParameterNames() {
        return parameters.keySet().iterator();
    }

    @Override
    public MailetContext getMailetContext() {
        return null;
    }

    @Override
    public String getMailetName() {
        return "TLS Gate probe";
    }
}
