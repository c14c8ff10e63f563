package io.tlsgate.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;

import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads the inbound gate's {@code <handler>} element of {@code smtpserver.xml}:
 *
 * <pre>
 * &lt;handler class="io.tlsgate.smtp.InboundTlsGate"&gt;
 *   &lt;default&gt; rule for every client without a rule of its own &lt;/default&gt;
 *   &lt;client peer="mx.partner.example 192.0.2.0/24"&gt; rule &lt;/client&gt;   (any number)
 * &lt;/handler&gt;
 * </pre>
 *
 * The default rule is mandatory, so that what unlisted clients must meet is always written down.
 */
public final class InboundPolicyReader {
    static final String DEFAULT = "default";
    static final String CLIENT = "client";
    static final String PEER = "peer";

    private InboundPolicyReader() {
    }

    public static PeerTable<TlsRequirement> read(Configuration handler) throws PolicyConfigurationException {
        ConfigElement root = ConfigElement.root(handler);
        root.allowAttributes(Set.of("class"));
        Map<String, List<ConfigElement>> children = root.childrenByName();
        for (List<ConfigElement> group : children.values()) {
            ElementNames.requireKnown(group.get(0), List.of(DEFAULT, CLIENT));
        }
        List<ConfigElement> defaults = children.getOrDefault(DEFAULT, List.of());
        if (defaults.isEmpty()) {
            throw root.error("no <default> rule: write what clients without a rule of their own must meet"
                + " (<default><level>none</level></default> exempts them)");
        }
        if (defaults.size() > 1) {
            throw defaults.get(1).error("there is already a <default> rule; keep one");
        }
        ConfigElement defaultElement = defaults.get(0);
        defaultElement.allowAttributes(Set.of());
        PeerTable.Builder<TlsRequirement> table = PeerTable.builder(RuleReader.read(defaultElement));
        for (ConfigElement client : children.getOrDefault(CLIENT, List.of())) {
            client.allowAttributes(Set.of(PEER));
            String peers = client.attribute(PEER)
                .orElseThrow(() -> client.error("has no peer=\"...\" attribute naming the hosts, domains or addresses it is for"));
            if (peers.isEmpty()) {
                throw client.error("peer=\"\" names no host, domain or address");
            }
            TlsRequirement rule = RuleReader.read(client);
            for (String key : peers.split("[\\s,]+")) {
                addKey(table, client, key, rule);
            }
        }
        return table.build();
    }

    private static void addKey(PeerTable.Builder<TlsRequirement> table, ConfigElement client, String key, TlsRequirement rule)
            throws PolicyConfigurationException {
        PeerKey peer;
        try {
            peer = PeerKey.parse(key);
        } catch (IllegalArgumentException e) {
            throw client.error("peer " + e.getMessage());
        }
        try {
            if (peer.host().isPresent()) {
                table.host(peer.host().get(), rule);
            } else {
                table.address(peer.block().orElseThrow(), rule);
            }
        } catch (IllegalArgumentException e) {
            throw client.error("peer '" + key + "': " + e.getMessage() + "; each host, domain or address may appear in one rule only");
        }
    }
}
