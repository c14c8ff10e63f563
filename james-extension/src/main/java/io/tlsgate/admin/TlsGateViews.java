package io.tlsgate.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.tlsgate.config.InboundPolicy;
import io.tlsgate.config.OutboundPolicy;
import io.tlsgate.config.OutboundRule;
import io.tlsgate.config.PolicyRegistry;
import io.tlsgate.config.RegisteredPolicy;
import io.tlsgate.config.ReloadingPolicy;
import io.tlsgate.delivery.ProbeReport;
import io.tlsgate.delivery.ProbeTarget;
import io.tlsgate.delivery.RemoteMtaProbe;
import io.tlsgate.policy.CombinedRequirement;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.RefusalReason;
import io.tlsgate.policy.TlsRequirement;

/**
 * What the admin surface shows and does, for the WebAdmin routes and the MBean alike: the policies in force, the
 * rule that applies to a peer, a reload, the last refusals, a probe. Answers are plain maps and lists (rendered as
 * JSON). Every input is checked by syntax first ({@link BadQuery}); only a probe uses DNS and the network.
 */
@Singleton
public final class TlsGateViews {
    private final PolicyRegistry registry;
    private final RefusalLog refusals;
    private final TlsGateMetrics metrics;
    private final Provider<RemoteMtaProbe> probe;

    /** James's DNS and domains are taken at the first probe: this is created early, as James starts. */
    @Inject
    public TlsGateViews(PolicyRegistry registry, RefusalLog refusals, TlsGateMetrics metrics, Provider<DNSService> dns,
                        Provider<DomainList> domains) {
        this(registry, refusals, metrics, () -> new RemoteMtaProbe(dns.get(), domains.get()));
    }

    TlsGateViews(PolicyRegistry registry, RefusalLog refusals, TlsGateMetrics metrics, Provider<RemoteMtaProbe> probe) {
        this.registry = registry;
        this.refusals = refusals;
        this.metrics = metrics;
        this.probe = probe;
    }

    public int refusalLogSize() {
        return refusals.size();
    }

    /** Every policy in force: name, direction, source, loaded-at time, summary, number of rule keys. */
    public List<Map<String, Object>> policies() {
        return registry.all().stream().map(TlsGateViews::policy).collect(Collectors.toList());
    }

    private static Map<String, Object> policy(RegisteredPolicy<?> policy) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", policy.name());
        view.put("direction", direction(policy.direction()));
        view.put("source", policy.source());
        view.put("reloadable", policy.reloadable());
        view.put("loadedAt", policy.loadedAt().toString());
        view.put("summary", policy.summary());
        view.put("ruleKeys", policy.ruleKeys());
        return view;
    }

    /**
     * The rule each inbound policy (or the named listener's) applies to a client. Host entries are consulted only
     * with {@code host} (the gate uses the client's forward-confirmed name, which this query does not look up).
     */
    public Map<String, Object> effectiveInbound(String address, String host, String helo, String listener) {
        byte[] bytes = QueryInput.address("address", address);
        Optional<String> name = QueryInput.optional(host).map(h -> QueryInput.domainName("host", h));
        Optional<String> heloName = QueryInput.optional(helo).map(QueryInput::helo);
        List<RegisteredPolicy<?>> policies = selected(Direction.INBOUND, "listener", listener);
        List<Map<String, Object>> answers = new ArrayList<>();
        for (RegisteredPolicy<?> registered : policies) {
            InboundPolicy policy = registered.policy(InboundPolicy.class).orElseThrow();
            PeerTable.Match<TlsRequirement> match = policy.rules().lookup(name, bytes);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("listener", registered.name());
            answer.put("source", registered.source());
            answer.put("matched", match(match.kind().name(), match.key(), match.toString()));
            answer.put("requirement", requirement(match.rule()));
            answers.add(answer);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("address", address.trim());
        client.put("host", name.orElse(null));
        client.put("helo", heloName.orElse(null));
        view.put("client", client);
        view.put("note", name.isPresent() ? "host entries consulted with the given host name (the gate uses the client's"
            + " forward-confirmed host name); HELO does not select inbound rules"
            : "no host given: only address entries and the default were consulted (the gate also consults host entries"
            + " with the client's forward-confirmed host name); HELO does not select inbound rules");
        view.put("policies", answers);
        return view;
    }

    /**
     * The rules each relay mailet (or the named one) applies to a delivery: the recipient side, the server side and
     * the combined requirement (both sides apply, as in Sendmail). Address entries of MX hosts are consulted only with
     * {@code mxAddress} (the relay uses the address it connects to, which this query does not look up).
     */
    public Map<String, Object> effectiveOutbound(String recipient, String domain, String mx, String mxAddress, String mailet) {
        boolean hasRecipient = QueryInput.optional(recipient).isPresent();
        boolean hasDomain = QueryInput.optional(domain).isPresent();
        if (hasRecipient == hasDomain) {
            throw BadQuery.invalid(hasRecipient ? "give either recipient or domain, not both"
                : "recipient or domain is missing: give the recipient address, or its domain");
        }
        Optional<MailAddress> address = hasRecipient ? Optional.of(QueryInput.recipient(recipient)) : Optional.empty();
        String recipientDomain = address.map(a -> a.getDomain().asString().toLowerCase(Locale.ROOT))
            .orElseGet(() -> QueryInput.domainName("domain", domain));
        Optional<String> mxName = QueryInput.optional(mx).map(m -> QueryInput.domainName("mx", m));
        Optional<byte[]> mxBytes = QueryInput.optional(mxAddress).map(a -> QueryInput.address("mxAddress", a));
        List<RegisteredPolicy<?>> policies = selected(Direction.OUTBOUND, "mailet", mailet);
        List<Map<String, Object>> answers = new ArrayList<>();
        for (RegisteredPolicy<?> registered : policies) {
            OutboundPolicy policy = registered.policy(OutboundPolicy.class).orElseThrow();
            // No address: an unspecified one, which no address entry matches.
            DestinationTable.Rules<OutboundRule> rules = policy.rules().rules(address.map(MailAddress::asString).orElse(""),
                recipientDomain, mxName, mxBytes.orElse(new byte[4]));
            CombinedRequirement combined = CombinedRequirement.of(rules, OutboundRule::requirement);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("mailet", registered.name());
            answer.put("source", registered.source());
            answer.put("recipientSide", rules.recipientSide().map(TlsGateViews::side).orElse(null));
            answer.put("serverSide", rules.serverSide().map(TlsGateViews::side).orElse(null));
            answer.put("applying", rules.applying().stream().map(TlsGateViews::side).collect(Collectors.toList()));
            Map<String, Object> both = new LinkedHashMap<>();
            both.put("rules", rules.toString());
            both.put("triesStartTls", combined.triesStartTls());
            both.put("tlsRequired", combined.requiresTls());
            both.put("words", combined.parts().stream().map(p -> p.rule() + ": " + p.requirement()).collect(Collectors.joining("; ")));
            answer.put("combined", both);
            answers.add(answer);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("recipient", address.map(MailAddress::asString).orElse(null));
        delivery.put("domain", recipientDomain);
        delivery.put("mx", mxName.orElse(null));
        delivery.put("mxAddress", QueryInput.optional(mxAddress).map(String::trim).orElse(null));
        view.put("delivery", delivery);
        view.put("policies", answers);
        return view;
    }

    private static Map<String, Object> side(DestinationTable.Match<OutboundRule> match) {
        Map<String, Object> side = match(match.kind().name(), match.key(), match.toString());
        side.put("requirement", requirement(match.rule().requirement()));
        side.put("clientCertificate", match.rule().clientCertificate().isPresent());
        return side;
    }

    private static Map<String, Object> match(String kind, String key, String display) {
        Map<String, Object> match = new LinkedHashMap<>();
        match.put("kind", kind.toLowerCase(Locale.ROOT).replace('_', '-'));
        match.put("key", key);
        match.put("entry", display);
        return match;
    }

    private static Map<String, Object> requirement(TlsRequirement requirement) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("words", requirement.toString());
        view.put("level", requirement.level().configName());
        view.put("tlsRequired", requirement.requiresTls());
        view.put("certificateRequired", requirement.requiresCertificate());
        view.put("verify", requirement.level().chainsToTrustAnchor());
        view.put("minCipherBits", requirement.minCipherBits());
        view.put("minProtocol", requirement.minProtocol().map(String::valueOf).orElse(null));
        view.put("identity", requirement.identity().stream().map(IdentityConstraint::toString).collect(Collectors.toList()));
        view.put("failure", requirement.failure().configName());
        view.put("missingTls", requirement.missingTls().configName());
        view.put("afterRefusal", requirement.afterRefusal().configName());
        return view;
    }

    /** The outcome of reading every policy file again now. */
    public static final class Reload {
        private final List<Map<String, Object>> results;
        private final boolean refused;

        Reload(List<Map<String, Object>> results, boolean refused) {
            this.results = results;
            this.refused = refused;
        }

        /** One entry per policy: name, direction, source, status (reloaded, unchanged, refused), message. */
        public Map<String, Object> view() {
            return Map.of("policies", results);
        }

        /** True when an edit was refused (its policy stays as it was). */
        public boolean refused() {
            return refused;
        }
    }

    public Reload reload() {
        List<Map<String, Object>> results = new ArrayList<>();
        boolean refused = false;
        for (RegisteredPolicy<?> policy : registry.all()) {
            ReloadingPolicy.Reload reload = policy.reload();
            refused |= reload.status() == ReloadingPolicy.Reload.Status.REFUSED;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", policy.name());
            result.put("direction", direction(policy.direction()));
            result.put("source", policy.source());
            result.put("status", reload.status().name().toLowerCase(Locale.ROOT));
            result.put("message", policy.reloadable() ? reload.message() : "inline rules are read once, at start-up");
            results.add(result);
        }
        return new Reload(results, refused);
    }

    /** The last refusals, newest first; {@code limit} (1 to the log's size) defaults to all. */
    public List<Map<String, Object>> refusals(String limit) {
        return refusals.latest(QueryInput.limit(limit, refusals.size())).stream().map(TlsGateViews::refusal).collect(Collectors.toList());
    }

    private static Map<String, Object> refusal(Decision decision) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("time", decision.time().toString());
        view.put("direction", decision.directionName());
        view.put("where", decision.where());
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("address", decision.peerAddress());
        peer.put("name", decision.peerName().orElse(null));
        peer.put("helo", decision.helo().orElse(null));
        peer.put("recipientDomain", decision.domain().orElse(null));
        peer.put("mx", decision.mx().orElse(null));
        view.put("peer", peer);
        view.put("rule", decision.rule());
        view.put("verdict", decision.outcome());
        // As in the log line and the probe's verdict ("cipher-too-weak"); metric names use underscores instead.
        view.put("reason", decision.verdict().reason().map(RefusalReason::label).orElse(null));
        view.put("reply", decision.verdict().replyCode());
        view.put("enhancedStatus", decision.verdict().enhancedStatus());
        view.put("text", decision.verdict().text());
        return view;
    }

    /**
     * Probes a destination under the outbound policy of the named relay mailet (or of the only one). The target is
     * checked before anything touches DNS or the network.
     */
    public Map<String, Object> probe(String domain, String host, String port, String recipient, String mailet) {
        ProbeTarget target;
        try {
            target = ProbeTarget.of(domain, host, port, recipient);
        } catch (IllegalArgumentException e) {
            throw BadQuery.invalid(e.getMessage());
        }
        List<RegisteredPolicy<?>> relays = selected(Direction.OUTBOUND, "mailet", mailet);
        if (relays.size() > 1) {
            throw BadQuery.invalid("mailet is missing: this James runs several relay mailets ("
                + relays.stream().map(RegisteredPolicy::name).collect(Collectors.joining(", ")) + "); name the one whose policy judges");
        }
        RegisteredPolicy<?> relay = relays.get(0);
        OutboundPolicy policy = relay.policy(OutboundPolicy.class).orElseThrow();
        ProbeReport report = metrics.probing(() -> probe.get().probe(target, policy));
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new ObjectMapper().convertValue(report, Map.class);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mailet", relay.name());
        view.putAll(fields);
        return view;
    }

    /** The named policy (404 when unknown), or every one of the direction (404 when there is none). */
    private List<RegisteredPolicy<?>> selected(Direction direction, String parameter, String name) {
        Optional<String> wanted = QueryInput.optional(name).map(n -> QueryInput.name(parameter, n));
        String what = direction == Direction.INBOUND ? "listener with the TLS Gate handler" : "TLS Gate relay mailet";
        if (wanted.isPresent()) {
            return List.of(registry.named(direction, wanted.get()).orElseThrow(() -> BadQuery.unknown("no " + what + " is named '"
                + wanted.get() + "'; known: " + registry.in(direction).stream().map(RegisteredPolicy::name).collect(Collectors.toList()))));
        }
        List<RegisteredPolicy<?>> all = registry.in(direction);
        if (all.isEmpty()) {
            throw BadQuery.unknown("this James runs no " + what);
        }
        return all;
    }

    private static String direction(Direction direction) {
        return direction.name().toLowerCase(Locale.ROOT);
    }
}
