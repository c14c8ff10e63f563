package io.tlsgate.config;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;

import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.ReplyCodes;
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
 *   &lt;accessFile&gt;file://conf/access&lt;/accessFile&gt;   a Sendmail access file: TLS_Clt, CertIssuer/CertSubject (optional)
 *   &lt;replyCodes&gt;standard | sendmail&lt;/replyCodes&gt;   454/554/530, or Sendmail's 403/503 (optional)
 * &lt;/handler&gt;
 * </pre>
 *
 * The default rule is mandatory, so that what unlisted clients must meet is always written down: {@code <default>}
 * or a bare {@code TLS_Clt:} line of the access file, not both. A client key may have one rule, in the XML or in the
 * access file; a key in both is an error naming both places.
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
            ElementNames.requireKnown(group.getValue().get(0), List.of(VerificationReader.ELEMENT, DEFAULT, CLIENT, RelayGrantReader.ELEMENT,
                AccessFileReader.ELEMENT, Values.REPLY_CODES));
            if (!group.getKey().equals(CLIENT) && !group.getKey().equals(DEFAULT) && group.getValue().size() > 1) {
                throw group.getValue().get(1).error("is given twice; keep one");
            }
        }
        Optional<VerificationCache> verification = Optional.empty();
        if (children.containsKey(VerificationReader.ELEMENT)) {
            verification = Optional.of(VerificationReader.read(children.get(VerificationReader.ELEMENT).get(0), files, clock));
        }
        List<RelayGrant> relayGrants = new ArrayList<>();
        if (children.containsKey(RelayGrantReader.ELEMENT)) {
            relayGrants.addAll(RelayGrantReader.read(children.get(RelayGrantReader.ELEMENT).get(0)));
        }
        ReplyCodes codes = Values.replyCodes(children);
        Optional<AccessFile> access = Optional.empty();
        if (children.containsKey(AccessFileReader.ELEMENT)) {
            access = Optional.of(AccessFileReader.read(children.get(AccessFileReader.ELEMENT).get(0), files, true));
            relayGrants.addAll(access.get().relayGrants);
        }
        return new InboundPolicy(rules(root, children, access, codes), verification, relayGrants);
    }

    private static PeerTable<TlsRequirement> rules(ConfigElement root, Map<String, List<ConfigElement>> children,
                                                   Optional<AccessFile> access, ReplyCodes codes)
            throws PolicyConfigurationException {
        List<ConfigElement> defaults = children.getOrDefault(DEFAULT, List.of());
        Optional<AccessEntry<String, TlsRequirement>> accessDefault = access.flatMap(a -> a.clientDefault);
        if (defaults.isEmpty() && accessDefault.isEmpty()) {
            throw root.error("no <default> rule: write what clients without a rule of their own must meet"
                + " (<default><level>none</level></default> exempts them" + (access.isPresent() ? "; or a bare TLS_Clt: line in the access file)" : ")"));
        }
        if (defaults.size() > 1) {
            throw defaults.get(1).error("there is already a <default> rule; keep one");
        }
        TlsRequirement defaultRule;
        if (!defaults.isEmpty()) {
            ConfigElement defaultElement = defaults.get(0);
            if (accessDefault.isPresent()) {
                throw defaultElement.error("the access file gives the default too, at " + access.get().place(accessDefault.get())
                    + "; keep one of them");
            }
            defaultElement.allowAttributes(Set.of());
            defaultRule = RuleReader.read(defaultElement);
        } else {
            defaultRule = accessDefault.get().value();
        }
        PeerTable.Builder<TlsRequirement> table = PeerTable.builder(defaultRule.withReplyCodes(codes));
        Map<PeerKey, ConfigElement> xmlKeys = new HashMap<>();
        for (ConfigElement client : children.getOrDefault(CLIENT, List.of())) {
            client.allowAttributes(Set.of(PEER));
            String peers = client.attribute(PEER)
                .orElseThrow(() -> client.error("has no peer=\"...\" attribute naming the hosts, domains or addresses it is for"));
            if (peers.isEmpty()) {
                throw client.error("peer=\"\" names no host, domain or address");
            }
            TlsRequirement rule = RuleReader.read(client).withReplyCodes(codes);
            for (String key : peers.split("[\\s,]+")) {
                xmlKeys.put(addKey(table, client, key, rule), client);
            }
        }
        if (access.isPresent()) {
            Map<TlsRequirement, TlsRequirement> coded = new java.util.IdentityHashMap<>();
            List<AccessEntry<PeerKey, TlsRequirement>> clients = access.get().clients;
            for (int i = 0; i < clients.size(); i++) {
                AccessEntry<PeerKey, TlsRequirement> entry = clients.get(i);
                try {
                    add(table, entry.key(), coded.computeIfAbsent(entry.value(), r -> r.withReplyCodes(codes)));
                } catch (IllegalArgumentException e) {
                    ConfigElement xml = xmlKeys.get(entry.key());
                    throw access.get().duplicate(clients, i, "client " + entry.key(), xml == null ? null : xml.location());
                }
            }
        }
        return table.build();
    }

    private static void add(PeerTable.Builder<TlsRequirement> table, PeerKey peer, TlsRequirement rule) {
        if (peer.host().isPresent()) {
            table.host(peer.host().get(), rule);
        } else {
            table.address(peer.block().orElseThrow(), rule);
        }
    }

    private static PeerKey addKey(PeerTable.Builder<TlsRequirement> table, ConfigElement client, String key, TlsRequirement rule)
            throws PolicyConfigurationException {
        PeerKey peer;
        try {
            peer = PeerKey.parse(key);
        } catch (IllegalArgumentException e) {
            throw client.error("peer " + e.getMessage());
        }
        try {
            add(table, peer, rule);
        } catch (IllegalArgumentException e) {
            throw client.error("peer '" + key + "': " + e.getMessage() + "; each host, domain or address may appear in one rule only");
        }
        return peer;
    }
}
