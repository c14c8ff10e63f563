package io.tlsgate.delivery;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.transport.mailets.remote.delivery.Delay;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.MailetConfig;

import io.tlsgate.config.OutboundPolicyReader;
import io.tlsgate.config.PolicyFile;

/**
 * Refuses the relay mailet's RemoteDelivery settings that James 3.8.1 would quietly replace: an unknown name (a typo
 * such as {@code maxRetrys} is ignored) or a value it cannot read ({@code 10 minuts} becomes the 6-hour default,
 * {@code yes} becomes false). The safe reading of an unclear setting is none: James does not start.
 */
final class RelaySettings {
    private static final Set<String> NAMES = Set.of(TlsRemoteDelivery.POLICY, ReuseSettings.REUSE, ReuseSettings.LIMIT,
        ReuseSettings.IDLE_TIME, PolicyFile.RELOAD_INTERVAL,
        RemoteDeliveryConfiguration.OUTGOING, RemoteDeliveryConfiguration.DELAY_TIME, RemoteDeliveryConfiguration.MAX_RETRIES,
        RemoteDeliveryConfiguration.MAX_DNS_PROBLEM_RETRIES, RemoteDeliveryConfiguration.BOUNCE_PROCESSOR,
        RemoteDeliveryConfiguration.ON_SUCCESS, RemoteDeliveryConfiguration.SENDPARTIAL, RemoteDeliveryConfiguration.USE_PRIORITY,
        RemoteDeliveryConfiguration.HELO_NAME, RemoteDeliveryConfiguration.BIND, RemoteDeliveryConfiguration.TIMEOUT,
        RemoteDeliveryConfiguration.CONNECTIONTIMEOUT, RemoteDeliveryConfiguration.GATEWAY, RemoteDeliveryConfiguration.GATEWAY_PORT,
        RemoteDeliveryConfiguration.GATEWAY_USERNAME, RemoteDeliveryConfiguration.GATEWAY_USERNAME_COMPATIBILITY,
        RemoteDeliveryConfiguration.GATEWAY_PASSWORD, RemoteDeliveryConfiguration.SSL_ENABLE, RemoteDeliveryConfiguration.START_TLS,
        RemoteDeliveryConfiguration.VERIFY_SERVER_IDENTITY, RemoteDeliveryConfiguration.DEBUG, RemoteDeliveryConfiguration.LOAD_BALANCING,
        // read by James's mailet container for every mailet
        "onMailetException", "onMatchException");
    private static final List<String> BOOLEANS = List.of(RemoteDeliveryConfiguration.SENDPARTIAL, RemoteDeliveryConfiguration.USE_PRIORITY,
        RemoteDeliveryConfiguration.SSL_ENABLE, RemoteDeliveryConfiguration.START_TLS, RemoteDeliveryConfiguration.VERIFY_SERVER_IDENTITY,
        RemoteDeliveryConfiguration.DEBUG, RemoteDeliveryConfiguration.LOAD_BALANCING);

    private RelaySettings() {
    }

    static void check(MailetConfig config) throws MessagingException {
        Set<String> unknown = new LinkedHashSet<>();
        String withoutValue = null;
        for (Iterator<String> names = config.getInitParameterNames(); names.hasNext(); ) {
            String name = names.next();
            boolean setting = NAMES.contains(name) || name.startsWith(RemoteDeliveryConfiguration.JAVAX_PREFIX);
            // mail.* settings go to javax.mail as they are, as with RemoteDelivery. Inline rules are read from the
            // element itself (their content is checked there); James names their children "default.level".
            if (!setting && !OutboundPolicyReader.ELEMENTS.contains(topElement(name))) {
                unknown.add("<" + topElement(name) + ">");
            }
            // <maxRetries value="1"/> or <outgoing></outgoing>: James would read no value and take its default.
            String value = config.getInitParameter(name);
            if (setting && withoutValue == null && !name.equals(TlsRemoteDelivery.POLICY) && (value == null || value.isBlank())) {
                withoutValue = name;
            }
        }
        if (!unknown.isEmpty()) {
            throw new MessagingException("TLS Gate relay: unknown setting(s) " + String.join(", ", unknown) + "; the settings are"
                + " <policy>, RemoteDelivery's (names are case-sensitive: " + String.join(", ", sorted()) + "), mail.* for javax.mail,"
                + " connection reuse (" + ReuseSettings.NAMES.stream().map(n -> "<" + n + ">").collect(Collectors.joining(", ")) + ")"
                + " and the inline rules " + OutboundPolicyReader.ELEMENTS.stream().map(e -> "<" + e + ">").collect(Collectors.joining(", ")));
        }
        if (withoutValue != null) {
            throw new MessagingException("TLS Gate relay: <" + withoutValue + "> has no value: write it as <" + withoutValue
                + ">value</" + withoutValue + "> (attributes are not read)");
        }
        for (String name : BOOLEANS) {
            String value = config.getInitParameter(name);
            if (value != null && !value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
                throw error(name, value, "is neither true nor false");
            }
        }
        whole(config, RemoteDeliveryConfiguration.MAX_RETRIES, 0, Integer.MAX_VALUE);
        whole(config, RemoteDeliveryConfiguration.MAX_DNS_PROBLEM_RETRIES, 0, Integer.MAX_VALUE);
        whole(config, RemoteDeliveryConfiguration.TIMEOUT, 1, Integer.MAX_VALUE);
        whole(config, RemoteDeliveryConfiguration.CONNECTIONTIMEOUT, 1, Integer.MAX_VALUE);
        whole(config, RemoteDeliveryConfiguration.GATEWAY_PORT, 1, 65535);
        String delays = config.getInitParameter(RemoteDeliveryConfiguration.DELAY_TIME);
        if (delays != null) {
            for (String delay : delays.split(",")) {
                if (delay.isBlank()) {
                    continue;
                }
                try {
                    Delay.from(delay.trim());
                } catch (MessagingException | RuntimeException e) {
                    throw error(RemoteDeliveryConfiguration.DELAY_TIME, delays, "'" + delay.trim() + "' is not a delay such as"
                        + " '5 minutes' or '3*1 hour' (" + e.getMessage() + ")");
                }
            }
        }
    }

    /** The rule elements written inline in the mailet element, in {@link OutboundPolicyReader#ELEMENTS} order. */
    static List<String> inlineRules(MailetConfig config) {
        Set<String> present = new HashSet<>();
        for (Iterator<String> names = config.getInitParameterNames(); names.hasNext(); ) {
            present.add(topElement(names.next()));
        }
        return OutboundPolicyReader.ELEMENTS.stream().filter(present::contains).collect(Collectors.toList());
    }

    /** "default" of "default.level" (James's name for {@code <default><level>}). */
    private static String topElement(String name) {
        int end = name.length();
        for (char c : new char[] {'.', '['}) {
            int at = name.indexOf(c);
            if (at > 0 && at < end) {
                end = at;
            }
        }
        return name.substring(0, end);
    }

    private static List<String> sorted() {
        List<String> names = new ArrayList<>(NAMES);
        names.remove(TlsRemoteDelivery.POLICY);
        names.removeAll(ReuseSettings.NAMES);
        names.sort(String.CASE_INSENSITIVE_ORDER);
        return names;
    }

    private static void whole(MailetConfig config, String name, long min, long max) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return;
        }
        long number;
        try {
            number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw error(name, value, "is not a whole number");
        }
        if (number < min || number > max) {
            throw error(name, value, "is out of range (" + min + " to " + max + ")");
        }
    }

    private static MessagingException error(String name, String value, String problem) {
        return new MessagingException("TLS Gate relay: <" + name + ">" + value + "</" + name + ">: " + problem);
    }
}
