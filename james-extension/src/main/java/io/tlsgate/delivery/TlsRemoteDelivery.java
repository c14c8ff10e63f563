package io.tlsgate.delivery;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.transport.mailets.remote.delivery.DnsHelper;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.Converter7Bit;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.config.OutboundPolicy;
import io.tlsgate.config.PolicyRegistry;
import io.tlsgate.config.RegisteredPolicy;
import io.tlsgate.config.OutboundPolicyReader;
import io.tlsgate.config.PolicyFile;
import io.tlsgate.config.ReloadingPolicy;
import io.tlsgate.config.OutboundRule;
import io.tlsgate.policy.Direction;

/**
 * The relay mailet: use it in mailetcontainer.xml in place of James's RemoteDelivery. It delivers like
 * RemoteDelivery (every stock setting keeps its meaning, on a queue of its own), but connects to each MX under the
 * TLS policy of {@code <policy>} (or of rules inline in its element): after STARTTLS it checks the server certificate and the negotiated strength, and
 * when a check fails it sends QUIT before MAIL FROM, tries the next MX, and keeps the mail queued (temporary) or
 * bounces it with a DSN that says which check failed for which host (permanent).
 *
 * <pre>
 * &lt;mailet match="All" class="io.tlsgate.delivery.TlsRemoteDelivery"&gt;
 *     &lt;policy&gt;file://conf/tlsgate-outbound.xml&lt;/policy&gt;
 *     &lt;delayTime&gt;5 minutes, 1 hour, 6 hours&lt;/delayTime&gt;
 *     &lt;maxRetries&gt;5&lt;/maxRetries&gt;
 *     &lt;bounceProcessor&gt;bounces&lt;/bounceProcessor&gt;
 * &lt;/mailet&gt;
 * </pre>
 *
 * The rules may instead be written inline in the element ({@code <verification>}, {@code <default>},
 * {@code <destination>}, as in a policy file): James passes them flattened, so the mailet reads its own element of
 * mailetcontainer.xml (see {@link MailetElement}). Inline rules are read once; a {@code <policy>} file is reloaded.
 */
public class TlsRemoteDelivery extends GenericMailet {
    static final String POLICY = PolicyFile.POLICY;
    private static final String MAILET_CONTAINER = "mailetcontainer";
    static final MailQueueName DEFAULT_QUEUE = MailQueueName.of("outgoing-tlsgate");
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsRemoteDelivery.class);
    private static final String NAME_JUNCTION = "-to-";
    private static final Map<MailQueueFactory<?>, Set<MailQueueName>> CLAIMED_QUEUES = new WeakHashMap<>();

    private final DNSService dns;
    private final DomainList domains;
    private final MailQueueFactory<?> queues;
    private final FileSystem files;
    private final ConfigurationProvider configurations;
    private final PolicyRegistry registry;
    private RemoteDeliveryConfiguration configuration;
    /** This mailet's entry among the policies in force, named after its queue. */
    private RegisteredPolicy<OutboundPolicy> registered;
    /** The policy in force; each delivery attempt and each split of a new mail takes it once. */
    private Supplier<OutboundPolicy> policies;
    /** The policy file's reloader; empty with inline rules (read once). */
    private Optional<ReloadingPolicy<OutboundPolicy>> reloading = Optional.empty();
    private MailQueue queue;
    private DeliveryLoop loop;
    private MailQueueName claimed;
    private ConnectionCache connections;

    /**
     * @param configurations James's configuration files: inline rules are read from this mailet's own element of
     *                       mailetcontainer.xml, which James passes to mailets only flattened
     */
    @Inject
    public TlsRemoteDelivery(DNSService dns, DomainList domains, MailQueueFactory<?> queues, FileSystem files,
                             ConfigurationProvider configurations, PolicyRegistry registry) {
        this.registry = registry;
        this.dns = dns;
        this.domains = domains;
        this.queues = queues;
        this.files = files;
        this.configurations = configurations;
    }

    @Override
    public void init() throws MessagingException {
        RelaySettings.check(getMailetConfig());
        ReuseSettings reuse = ReuseSettings.from(getMailetConfig());
        configuration = new RemoteDeliveryConfiguration(getMailetConfig(), domains);
        Duration reloadInterval;
        try {
            reloadInterval = PolicyFile.reloadInterval(getInitParameter(PolicyFile.RELOAD_INTERVAL));
        } catch (ConfigurationException e) {
            throw new MessagingException("TLS Gate relay: " + e.getMessage(), e);
        }
        List<String> inline = RelaySettings.inlineRules(getMailetConfig());
        if (inline.isEmpty()) {
            ReloadingPolicy<OutboundPolicy> file = loadPolicy();
            reloading = Optional.of(file);
            policies = file;
        } else {
            OutboundPolicy fixed = loadInline(inline);
            policies = () -> fixed;
        }
        for (String governed : List.of("startTLS", "verifyServerIdentity")) {
            if (getInitParameter(governed) != null) {
                LOGGER.warn("TLS Gate relay: <{}> is ignored: TLS to each destination follows the TLS Gate policy", governed);
            }
        }
        MailQueueName queueName = getInitParameter(RemoteDeliveryConfiguration.OUTGOING) == null
            ? DEFAULT_QUEUE : configuration.getOutGoingQueueName();
        claim(queueName);
        queue = queues.createQueue(queueName);
        registered = registry.register(new RegisteredPolicy<>(queueName.asString(), Direction.OUTBOUND, OutboundPolicy.class, policies,
            reloading, Clock.systemUTC().instant(), TlsRemoteDelivery::summary, p -> p.rules().size()));
        connections = ConnectionCache.start(reuse);
        MxDelivery delivery = new MxDelivery(configuration, new DnsHelper(dns, configuration), policies,
            new HostAttempt(configuration, new MessageSending(new Converter7Bit(getMailetContext())), new MailSessions(configuration),
                connections),
            new RelayDecisions(registered.name(), registry.decisions()));
        loop = new DeliveryLoop(queue, configuration, delivery, new Bounces(configuration, getMailetContext()), getMailetContext());
        loop.start();
        LOGGER.info("TLS Gate relay started on queue {}: {}{}; {}", queueName.asString(), summary(policies.get()),
            reloading.isEmpty() ? " (rules inline in the mailet: not reloadable)" : "", connections);
        reloading.ifPresent(r -> r.start(reloadInterval));
    }

    /**
     * The rules written inline in this mailet's element, read from the element itself (found in mailetcontainer.xml
     * as the one James flattened into this mailet's configuration), with the same reader as policy files.
     */
    private OutboundPolicy loadInline(List<String> inline) throws MessagingException {
        String elements = inline.stream().map(e -> "<" + e + ">").collect(Collectors.joining(", "));
        if (getInitParameter(POLICY) != null) {
            throw new MessagingException("TLS Gate relay: <" + POLICY + "> and inline rules (" + elements + ") at once: the rules are"
                + " either inline in the mailet element or in the <" + POLICY + "> file, not both (move " + elements
                + " into the file's <outbound> section, or remove <" + POLICY + ">)");
        }
        if (getInitParameter(PolicyFile.RELOAD_INTERVAL) != null) {
            throw new MessagingException("TLS Gate relay: <" + PolicyFile.RELOAD_INTERVAL + "> applies to a <" + POLICY + "> file only:"
                + " rules written inline in the mailet are read once, at start-up (move them into a policy file to reload them)");
        }
        if (configurations == null) {
            throw new MessagingException("TLS Gate relay: inline rules (" + elements + ") need James's ConfigurationProvider, which"
                + " this mailet container does not provide; name a policy file with <" + POLICY + "> instead");
        }
        HierarchicalConfiguration<ImmutableNode> mailetContainer;
        try {
            mailetContainer = configurations.getConfiguration(MAILET_CONTAINER);
        } catch (ConfigurationException | RuntimeException e) {
            throw new MessagingException("TLS Gate relay: the inline rules cannot be read: " + MAILET_CONTAINER + ".xml cannot be read ("
                + e.getMessage() + ")", e);
        }
        List<MailetElement.Found> found = MailetElement.find(mailetContainer, getMailetConfig());
        if (found.isEmpty()) {
            throw new MessagingException("TLS Gate relay: the inline rules cannot be read: no <mailet> element in the <processors> of "
                + MAILET_CONTAINER + ".xml has this mailet's settings (was the file changed while James started?)");
        }
        if (found.size() > 1) {
            throw new MessagingException("TLS Gate relay: " + MAILET_CONTAINER + ".xml holds " + found.size() + " identical <mailet class=\""
                + getMailetName() + "\"> elements (processors " + found.stream().map(f -> f.processor).collect(Collectors.joining(", "))
                + "); two relay mailets cannot share a queue: give each relay mailet its own <outgoing> queue");
        }
        MailetElement.Found element = found.get(0);
        try {
            return OutboundPolicyReader.readInline(element.element, MAILET_CONTAINER + ".xml <processor state=\"" + element.processor + "\">",
                l -> files.getFile(l).toPath(), Clock.systemUTC());
        } catch (ConfigurationException e) {
            throw new MessagingException("TLS Gate relay: " + e.getMessage(), e);
        }
    }

    private ReloadingPolicy<OutboundPolicy> loadPolicy() throws MessagingException {
        String location = getInitParameter(POLICY);
        if (location == null || location.isBlank()) {
            throw new MessagingException("TLS Gate relay: <" + POLICY + "> is missing: name the file with the outbound TLS rules,"
                + " e.g. <" + POLICY + ">file://conf/tlsgate-outbound.xml</" + POLICY + ">, or write the rules inline in the mailet"
                + " element (<verification>, <default>, <destination>)");
        }
        Path path;
        try {
            path = files.getFile(location.trim()).toPath();
        } catch (FileNotFoundException e) {
            throw new MessagingException("TLS Gate relay: <" + POLICY + ">" + location + ": cannot be found (" + e.getMessage() + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw new MessagingException("TLS Gate relay: <" + POLICY + ">" + location + ": " + path + " does not exist or is not a file");
        }
        try {
            return ReloadingPolicy.load("outbound policy",
                () -> PolicyFile.readOutbound(path, l -> files.getFile(l).toPath(), Clock.systemUTC()), TlsRemoteDelivery::summary);
        } catch (ConfigurationException e) {
            throw new MessagingException("TLS Gate relay: " + e.getMessage(), e);
        }
    }

    static String summary(OutboundPolicy policy) {
        return String.format("default rule %s; %d destination rule key(s); server certificates %s", policy.rules().defaultRule(),
            policy.rules().size(), policy.verification().isPresent() ? "verified by TLS Gate"
                : "not verifiable (no <verification>: only pins count)");
    }

    /**
     * As RemoteDelivery without a gateway: one queued copy per recipient domain (here also with a gateway, and per
     * rule that a recipient address has of its own), named {@code <mail>-to-<domain>}; the mail itself is then GHOST.
     */
    @Override
    public void service(Mail mail) throws MessagingException {
        if (configuration.isUsePriority()) {
            mail.setAttribute(MailPrioritySupport.HIGH_PRIORITY_ATTRIBUTE);
        }
        if (mail.getRecipients().isEmpty()) {
            LOGGER.debug("Mail {} has no recipients: nothing to relay", mail.getName());
        } else {
            // Split per domain even towards a gateway: each copy is checked under its own domain's rule.
            String original = mail.getName();
            Map<Map.Entry<String, Optional<OutboundRule>>, List<MailAddress>> groups = groups(mail.getRecipients());
            int n = 0;
            for (Map.Entry<Map.Entry<String, Optional<OutboundRule>>, List<MailAddress>> group : groups.entrySet()) {
                mail.setRecipients(group.getValue());
                String domain = group.getValue().get(0).getDomain().asString();
                mail.setName(original + NAME_JUNCTION + domain + (groups.size() > countDomains(groups) ? "-" + (++n) : ""));
                queue.enQueue(mail);
            }
        }
        mail.setState(Mail.GHOST);
    }

    /** Recipients by domain, and apart when a recipient has a rule of its own (rules compare by identity). */
    private Map<Map.Entry<String, Optional<OutboundRule>>, List<MailAddress>> groups(Collection<MailAddress> recipients) {
        Map<Map.Entry<String, Optional<OutboundRule>>, List<MailAddress>> groups = new LinkedHashMap<>();
        OutboundPolicy policy = policies.get();
        for (MailAddress recipient : recipients) {
            Map.Entry<String, Optional<OutboundRule>> key = Map.entry(recipient.getDomain().asString(),
                policy.rules().recipientRule(recipient.asString()));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(recipient);
        }
        return groups;
    }

    private static long countDomains(Map<?, List<MailAddress>> groups) {
        return groups.values().stream().map(g -> g.get(0).getDomain()).distinct().count();
    }

    /**
     * Two relay mailets on one queue would take each other's mail and deliver it under the other's settings (gateway,
     * retries): refuse the second. Claims are per James (its queue factory), so a James that did not stop cleanly in
     * this JVM does not block the next.
     */
    private void claim(MailQueueName name) throws MessagingException {
        synchronized (CLAIMED_QUEUES) {
            if (!CLAIMED_QUEUES.computeIfAbsent(queues, q -> new HashSet<>()).add(name)) {
                throw new MessagingException("TLS Gate relay: queue " + name.asString() + " is already used by another"
                    + " TlsRemoteDelivery mailet; give each relay mailet its own <outgoing> queue");
            }
            claimed = name;
        }
    }

    @Override
    public void destroy() {
        if (registered != null) {
            registry.unregister(registered);
        }
        if (claimed != null) {
            synchronized (CLAIMED_QUEUES) {
                CLAIMED_QUEUES.getOrDefault(queues, new HashSet<>()).remove(claimed);
            }
        }
        reloading.ifPresent(ReloadingPolicy::close);
        if (loop != null) {
            loop.stop();
        }
        if (connections != null) {
            // After the loop: a mail still being delivered hands its connection to a closed cache, which closes it.
            connections.close();
        }
        if (queue != null) {
            try {
                queue.close();
            } catch (IOException e) {
                LOGGER.debug("Closing the relay queue failed", e);
            }
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return Stream.concat(configuration.getBounceProcessor().stream(), configuration.getOnSuccess().stream())
            .collect(Collectors.toList());
    }

    @Override
    public String getMailetInfo() {
        return "TLS Gate relay: RemoteDelivery under a TLS policy";
    }
}
