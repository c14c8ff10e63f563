package io.tlsgate.delivery;

import java.util.Properties;

import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;

/**
 * The javax.mail session properties of one connection to one MX under the TLS policy: the relay's own settings
 * (timeouts, EHLO name, mail.* parameters), with TLS left to the policy. Shared by the relay and the probe, so that
 * both connect alike.
 */
final class PolicySessionProperties {
    private PolicySessionProperties() {
    }

    static Properties of(RemoteDeliveryConfiguration configuration, TlsCheck check, PolicySocketFactory sockets, boolean implicitTls) {
        Properties properties = new Properties();
        properties.putAll(implicitTls ? configuration.createFinalJavaxPropertiesWithSSL() : configuration.createFinalJavaxProperties());
        apply(properties, check, sockets, implicitTls);
        return properties;
    }

    /** Sets TLS in the properties of a session (the relay keeps its sessions; the mailet's settings are already there). */
    static void apply(Properties properties, TlsCheck check, PolicySocketFactory sockets, boolean implicitTls) {
        String prefix = prefix(implicitTls);
        properties.put(prefix + ".starttls.enable", String.valueOf(check.triesStartTls()));
        // The policy decides what a missing STARTTLS or a certificate means, with a QUIT and a reason.
        properties.put(prefix + ".starttls.required", "false");
        properties.put(prefix + ".ssl.checkserveridentity", "false");
        properties.remove(prefix + ".ssl.trust");
        // An object, in the session's own properties: javax.mail does not look into defaults for it.
        properties.put(prefix + ".ssl.socketFactory", sockets);
    }

    static String prefix(boolean implicitTls) {
        return implicitTls ? "mail.smtps" : "mail.smtp";
    }
}
