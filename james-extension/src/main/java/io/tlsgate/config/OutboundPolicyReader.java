package io.tlsgate.config;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;

import io.tlsgate.pki.ClientCredentials;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.ReplyCodes;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads the relay mailet's outbound policy, in the same vocabulary as the inbound gate:
 *
 * <pre>
 * &lt;outbound&gt;
 *   &lt;verification&gt; trust anchors, CRL, OCSP (as inbound) &lt;/verification&gt;
 *   &lt;default&gt; rule for every destination without one of its own &lt;/default&gt;
 *   &lt;destination recipient="ceo@partner.example"&gt; rule &lt;/destination&gt;
 *   &lt;destination domain="partner.example"&gt; rule &lt;/destination&gt;     (the recipient domain and its subdomains)
 *   &lt;destination mx="mx.partner.example 192.0.2.0/24"&gt; rule &lt;/destination&gt;
 *   &lt;accessFile&gt;file://conf/access&lt;/accessFile&gt;   a Sendmail access file: TLS_Srv, TLS_Rcpt, Try_TLS (optional)
 *   &lt;replyCodes&gt;standard | sendmail&lt;/replyCodes&gt;   (optional)
 * &lt;/outbound&gt;
 * </pre>
 *
 * Outbound levels: none, may, encrypt, fingerprint, verify (the MX host name), secure (the recipient domain).
 * Refusals default to temporary. A rule may add {@code <clientCertificate type="pkcs12" password="...">file</clientCertificate>}.
 */
public final class OutboundPolicyReader {
    static final String ROOT = "outbound";
    static final String DEFAULT = "default";
    static final String DESTINATION = "destination";
    static final String RECIPIENT = "recipient";
    static final String DOMAIN = "domain";
    static final String MX = "mx";

    private OutboundPolicyReader() {
    }

    /** The elements that hold outbound rules: in a policy file, or inline in the relay mailet's element. */
    public static final List<String> ELEMENTS = List.of(VerificationReader.ELEMENT, DEFAULT, DESTINATION, AccessFileReader.ELEMENT,
        Values.REPLY_CODES);

    public static OutboundPolicy read(Configuration policy, FileResolver files, Clock clock) throws PolicyConfigurationException {
        ConfigElement root = ConfigElement.root(policy);
        root.allowAttributes(Set.of());
        root.requireNoText();
        Map<String, List<ConfigElement>> children = root.childrenByName();
        for (Map.Entry<String, List<ConfigElement>> group : children.entrySet()) {
            ElementNames.requireKnown(group.getValue().get(0), ELEMENTS);
        }
        return read(root, children, files, clock);
    }

    /**
     * The rules written inline in the relay mailet's {@code <mailet>} element of mailetcontainer.xml: its
     * {@link #ELEMENTS} children. Its other children are the mailet's own settings (the mailet checks them) and its
     * attributes are James's (class, match).
     *
     * @param parents where the element is, for error messages, e.g. {@code mailetcontainer.xml <processor state="relay">}
     */
    public static OutboundPolicy readInline(Configuration mailet, String parents, FileResolver files, Clock clock)
            throws PolicyConfigurationException {
        ConfigElement root = ConfigElement.root(mailet, parents);
        Map<String, List<ConfigElement>> children = new java.util.LinkedHashMap<>(root.childrenByName());
        children.keySet().retainAll(ELEMENTS);
        return read(root, children, files, clock);
    }

    private static OutboundPolicy read(ConfigElement root, Map<String, List<ConfigElement>> children, FileResolver files, Clock clock)
            throws PolicyConfigurationException {
        for (Map.Entry<String, List<ConfigElement>> group : children.entrySet()) {
            if (!group.getKey().equals(DESTINATION) && group.getValue().size() > 1) {
                throw group.getValue().get(1).error("is given twice; keep one");
            }
        }
        Optional<VerificationCache> verification = Optional.empty();
        if (children.containsKey(VerificationReader.ELEMENT)) {
            verification = Optional.of(VerificationReader.read(children.get(VerificationReader.ELEMENT).get(0), files, clock));
        }
        ReplyCodes codes = Values.replyCodes(children);
        Optional<AccessFile> access = Optional.empty();
        if (children.containsKey(AccessFileReader.ELEMENT)) {
            access = Optional.of(AccessFileReader.read(children.get(AccessFileReader.ELEMENT).get(0), files, false));
        }
        boolean trustAnchors = verification.isPresent();
        Optional<AccessEntry<String, TlsRequirement>> accessDefault = access.flatMap(a -> a.destinationDefault);
        List<ConfigElement> defaults = children.getOrDefault(DEFAULT, List.of());
        if (defaults.isEmpty() && accessDefault.isEmpty()) {
            throw root.error("no <default> rule: write what destinations without a rule of their own must meet"
                + " (<default><level>may</level></default> is opportunistic TLS"
                + (access.isPresent() ? "; or a bare TLS_Srv: or TLS_Rcpt: line in the access file)" : ")"));
        }
        OutboundRule defaultRule;
        if (!defaults.isEmpty()) {
            if (accessDefault.isPresent()) {
                throw defaults.get(0).error("the access file gives the default too, at " + access.get().place(accessDefault.get())
                    + "; keep one of them");
            }
            defaults.get(0).allowAttributes(Set.of());
            defaultRule = rule(defaults.get(0), files, trustAnchors);
        } else {
            defaultRule = new OutboundRule(accessDefault.get().value(), Optional.empty());
        }
        DestinationTable.Builder<OutboundRule> table = DestinationTable.builder(withCodes(defaultRule, codes));
        if (defaults.isEmpty()) {
            // As in Sendmail: a bare TLS_Rcpt: is every recipient's rule, a bare TLS_Srv: or Try_TLS: every server's.
            table.defaultSide(accessDefault.get().written().regionMatches(true, 0, "TLS_Rcpt", 0, 8)
                ? DestinationTable.DefaultSide.RECIPIENT : DestinationTable.DefaultSide.SERVER);
        }
        Map<Object, ConfigElement> xmlKeys = new HashMap<>();
        for (ConfigElement destination : children.getOrDefault(DESTINATION, List.of())) {
            destination.allowAttributes(Set.of(RECIPIENT, DOMAIN, MX));
            if (destination.attributeNames().size() != 1) {
                throw destination.error("needs exactly one of recipient=\"...\", domain=\"...\" or mx=\"...\"");
            }
            String kind = destination.attributeNames().iterator().next();
            String keys = destination.attribute(kind).orElse("");
            if (keys.isEmpty()) {
                throw destination.error(kind + "=\"\" names nothing");
            }
            OutboundRule rule = withCodes(rule(destination, files, trustAnchors), codes);
            for (String key : keys.split("[\\s,]+")) {
                addKey(table, destination, kind, key, rule);
                xmlKeys.put(xmlKey(kind, key), destination);
            }
        }
        if (access.isPresent()) {
            if (!trustAnchors) {
                requireNoChainCheck(access.get());
            }
            AccessDestinations.add(access.get(), table, xmlKeys, codes);
        }
        return new OutboundPolicy(table.build(), verification);
    }

    /** As for XML rules: an access-file VERIFY without trust anchors would defer every mail it governs. */
    private static void requireNoChainCheck(AccessFile access) throws PolicyConfigurationException {
        List<AccessEntry<?, TlsRequirement>> entries = new java.util.ArrayList<>();
        access.destinationDefault.ifPresent(entries::add);
        entries.addAll(access.recipients);
        entries.addAll(access.domains);
        entries.addAll(access.localParts);
        entries.addAll(access.servers);
        for (AccessEntry<?, TlsRequirement> entry : entries) {
            TlsRequirement.Level level = entry.value().level();
            if (level.chainsToTrustAnchor()) {
                throw access.error(entry, "level " + level.configName() + " needs a <verification> element with the"
                    + " <trustAnchors> that server certificates must chain to, in the policy that loads this access file");
            }
        }
    }

    private static OutboundRule withCodes(OutboundRule rule, ReplyCodes codes) {
        return codes == rule.requirement().replyCodes() ? rule
            : new OutboundRule(rule.requirement().withReplyCodes(codes), rule.clientCertificate());
    }

    /** The key a destination attribute value stands for, as {@link AccessDestinations} looks it up; null when it is no key. */
    private static Object xmlKey(String kind, String key) {
        try {
            switch (kind) {
                case RECIPIENT:
                    return List.of(RECIPIENT, key.toLowerCase(java.util.Locale.ROOT));
                case DOMAIN:
                    return List.of(DOMAIN, PeerKey.parse(key));
                default:
                    return List.of(MX, PeerKey.parse(key));
            }
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static OutboundRule rule(ConfigElement element, FileResolver files, boolean trustAnchors) throws PolicyConfigurationException {
        Map<String, List<ConfigElement>> children = RuleReader.outboundChildren(element);
        TlsRequirement requirement = RuleReader.readOutbound(element, children);
        if (!trustAnchors && requirement.level().chainsToTrustAnchor()) {
            // Without trust anchors no chain can be trusted: every delivery under this rule would be deferred.
            throw element.error("level " + requirement.level().configName() + " needs a <verification> element with the"
                + " <trustAnchors> that server certificates must chain to (level fingerprint checks pins only)");
        }
        ConfigElement certificate = Values.first(children, RuleReader.CLIENT_CERTIFICATE);
        if (certificate == null) {
            return new OutboundRule(requirement, Optional.empty());
        }
        if (!requirement.requiresTls() && requirement.level() != TlsRequirement.Level.MAY) {
            throw certificate.error("a client certificate needs TLS; this rule's level is " + requirement.level().configName());
        }
        String password = certificate.attribute("password")
            .orElseThrow(() -> certificate.error("needs password=\"...\" (the key store's)"));
        Path path;
        String location = certificate.text();
        try {
            path = files.resolve(location);
        } catch (FileNotFoundException e) {
            throw certificate.error("'" + location + "' cannot be found (" + e.getMessage() + ")");
        }
        try {
            return new OutboundRule(requirement, Optional.of(ClientCredentials.load(path, certificate.attribute("type"), password)));
        } catch (IllegalArgumentException e) {
            throw certificate.error(e.getMessage());
        }
    }

    /**
     * A recipient address as the table keys it: user@domain, the domain a host name (a trailing dot dropped). Anything
     * else ("<ceo@partner.example>", "ceo@partner..example") would never match a recipient, and its rule would silently
     * never apply.
     */
    private static String recipient(ConfigElement destination, String key) throws PolicyConfigurationException {
        int at = key.lastIndexOf('@');
        PolicyConfigurationException notAnAddress = destination.error("recipient '" + key + "' is not a mail address (user@domain)");
        if (at <= 0 || key.indexOf('@') != at || key.chars().anyMatch(c -> c == '<' || c == '>' || c == '"' || Character.isWhitespace(c))) {
            throw notAnAddress;
        }
        PeerKey domain;
        try {
            domain = PeerKey.parse(key.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw notAnAddress;
        }
        if (domain.host().isEmpty()) {
            throw notAnAddress;
        }
        return key.substring(0, at + 1) + domain.host().get();
    }

    private static void addKey(DestinationTable.Builder<OutboundRule> table, ConfigElement destination, String kind, String key,
                               OutboundRule rule) throws PolicyConfigurationException {
        try {
            switch (kind) {
                case RECIPIENT:
                    table.recipient(recipient(destination, key), rule);
                    break;
                case DOMAIN:
                    PeerKey domain = PeerKey.parse(key);
                    if (domain.host().isEmpty()) {
                        throw destination.error("domain '" + key + "' is an address; MX addresses go in mx=\"...\"");
                    }
                    table.domain(domain.host().get(), rule);
                    break;
                default:
                    PeerKey mx = PeerKey.parse(key);
                    if (mx.host().isPresent()) {
                        table.mxHost(mx.host().get(), rule);
                    } else {
                        table.mxAddress(mx.block().orElseThrow(), rule);
                    }
            }
        } catch (IllegalArgumentException e) {
            throw destination.error(kind + " " + (e.getMessage().startsWith("'") ? e.getMessage() : "'" + key + "': " + e.getMessage())
                + (e.getMessage().contains("two rules") ? "; each key may appear in one rule only" : ""));
        }
    }
}
