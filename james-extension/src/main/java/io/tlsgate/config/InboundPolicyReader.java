package io.tlsgate.config;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;

import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads the inbound gate's {@code <handler>} element of {@code smtpserver.xml}:
 *
 * <pre>
 * &lt;handler class="io.tlsgate.smtp.InboundTlsGate"&gt;
 *   &lt;verification&gt; how client certificates are verified (optional, see VerificationReader) &lt;/verification&gt;
 *   &lt;default&gt; rule for every client without a rule of its own &lt;/default&gt;
 *   &lt;client peer="mx.partner.example 192.0.2.0/24"&gt; rule &lt;/client&gt;   (any number)
 *   &lt;relay&gt; which verified certificates may relay (optional, see RelayGrantReader) &lt;/relay&gt;
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

    /** Rules only: a handler without {@code <verification>} and files (tests of rule syntax). */
    public static PeerTable<TlsRequirement> read(Configuration handler) throws PolicyConfigurationException {
        return read(handler, location -> Path.of(location), Clock.systemUTC()).rules();
    }

    /**
     * @param files resolves file names written in the configuration (James's FileSystem in production)
     */
    public static InboundPolicy read(Configuration handler, FileResolver files, Clock clock) throws PolicyConfigurationException {
        ConfigElement root = ConfigElement.root(handler);
        root.allowAttributes(Set.of("class"));
        root.requireNoText();
        Map<String, List<ConfigElement>> children = root.childrenByName();
        for (Map.Entry<String, List<ConfigElement>> group : children.entrySet()) {
            ElementNames.requireKnown(group.getValue().get(0), List.of(VerificationReader.ELEMENT, DEFAULT, CLIENT, RelayGrantReader.ELEMENT));
            if (!group.getKey().equals(CLIENT) && !group.getKey().equals(DEFAULT) && group.getValue().size() > 1) {
                throw group.getValue().get(1).error("is given twice; keep one");
            }
        }
        Optional<VerificationCache> verification = Optional.empty();
        if (children.containsKey(VerificationReader.ELEMENT)) {
            verification = Optional.of(VerificationReader.read(children.get(VerificationReader.ELEMENT).get(0), files, clock));
        }
        List<RelayGrant> relayGrants = List.of();
        if (children.containsKey(RelayGrantReader.ELEMENT)) {
            relayGrants = RelayGrantReader.read(children.get(RelayGrantReader.ELEMENT).get(0));
        }
        return new InboundPolicy(rules(root, children), verification, relayGrants);
    }

    private static PeerTable<TlsRequirement> rules(ConfigElement root, Map<String, List<ConfigElement>> children)
            throws PolicyConfigurationException {
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
