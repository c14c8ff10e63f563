package io.tlsgate.smtp;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.net.ssl.SSLSession;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Username;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.UnknownCommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.config.InboundPolicy;
import io.tlsgate.config.InboundPolicyReader;
import io.tlsgate.config.PolicyConfigurationException;
import io.tlsgate.config.PolicyFile;
import io.tlsgate.config.PolicyRegistry;
import io.tlsgate.config.RegisteredPolicy;
import io.tlsgate.config.ReloadingPolicy;
import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DecisionLine;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.PolicyEvaluator;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

/**
 * The inbound TLS gate: a handler placed first in a listener's {@code <handlerchain>} of {@code smtpserver.xml}
 * (or of TLS Gate's own {@code tlsgate-listeners.xml}), ahead of James's core handlers.
 *
 * <ul>
 *   <li>Before TLS, commands that carry mail or credentials (MAIL, RCPT, DATA, AUTH, VRFY, EXPN) are refused
 *       with {@code 530 5.7.0} when the client's rule requires TLS. The client may still STARTTLS.</li>
 *   <li>At the first command after the TLS handshake the session is judged once against the client's rule, the
 *       client certificate verified as configured. A refusal answers that command and, for the rest of the
 *       session, every command except QUIT (or the connection is closed, if the rule says so). James keeps HELO
 *       state across STARTTLS, so nothing is decided earlier.</li>
 *   <li>A session that passes is left alone: James's own handlers, relay and identity checks included, run as
 *       usual. A verified certificate named in {@code <relay>} may relay, optionally as a James user.</li>
 *   <li>The Received header of accepted mail carries the TLS facts (with ESMTPS, version, cipher, bits, verify).</li>
 * </ul>
 */
public class InboundTlsGate implements CommandHandler<SMTPSession>, JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundTlsGate.class);

    /**
     * The commands James 3.8.1's core answers, except QUIT, plus unknown ones. A command no core handler
     * knows must not be listed: the dispatcher would find only this handler and leave the client unanswered.
     */
    private static final List<String> COMMANDS = List.of("HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "VRFY",
        "EXPN", "HELP", "AUTH", "STARTTLS", UnknownCommandHandler.COMMAND_IDENTIFIER);

    /** Commands that carry mail, addresses or credentials: never in plaintext when TLS is required. */
    private static final Set<String> NEED_TLS = Set.of("MAIL", "RCPT", "DATA", "AUTH", "VRFY", "EXPN");

    private static final AttachmentKey<GateDecision> DECISION = AttachmentKey.of("tlsgate.inbound.decision", GateDecision.class);
    private static final AttachmentKey<ClientRule> CLIENT_RULE = AttachmentKey.of("tlsgate.inbound.rule", ClientRule.class);

    private final ClientNameResolver names;
    private final FileSystem files;
    private final UsersRepository users;
    private final PolicyRegistry registry;
    private final DecisionFeed decisions;
    private final ConfigurationProvider configurations;
    private final Clock clock = Clock.systemUTC();
    /** This handler's entry among the policies in force; its name is the listener's. */
    private volatile RegisteredPolicy<InboundPolicy> registered;
    /** The policy for new sessions: inline rules (fixed) or a policy file (reloaded when it changes). */
    private volatile java.util.function.Supplier<InboundPolicy> policies;
    private volatile ReloadingPolicy<InboundPolicy> reloading;
    private volatile ChainVerifier listenerTrusting;
    /** Configurations that refuse every client are legal but almost certainly mistakes: say so once. */
    private final java.util.concurrent.atomic.AtomicBoolean warnedNoTls = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean warnedNoCertificates = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param registry the policies in force in this James and the feed of decisions (shared with the admin surface)
     * @param configurations James's configuration files, to find which listener this handler serves
     */
    @Inject
    public InboundTlsGate(DNSService dns, FileSystem files, UsersRepository users, PolicyRegistry registry,
                          ConfigurationProvider configurations) {
        this.names = new ClientNameResolver(dns);
        this.files = files;
        this.users = users;
        this.registry = registry;
        this.decisions = registry.decisions();
        this.configurations = configurations;
    }

    /** A gate of its own, outside James's injector (tests): its policy and decisions are seen by no admin surface. */
    public InboundTlsGate(DNSService dns, FileSystem files, UsersRepository users) {
        this(dns, files, users, PolicyRegistry.standalone(), null);
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        listenerTrusting = ChainVerifier.withoutAnchors(clock);
        PolicyFile.HandlerSource source = PolicyFile.handlerSource(config);
        if (source.location().isEmpty()) {
            InboundPolicy inline = InboundPolicyReader.read(config, location -> files.getFile(location).toPath(), clock);
            policies = () -> inline;
            register(config, Optional.empty());
            LOGGER.info("TLS Gate inbound policy loaded: {} (inline in the handler: not reloadable)", summary(inline));
            return;
        }
        String location = source.location().get();
        java.nio.file.Path file;
        try {
            file = files.getFile(location).toPath();
        } catch (java.io.FileNotFoundException e) {
            throw new PolicyConfigurationException("<handler class=\"" + InboundTlsGate.class.getName() + "\"> <" + PolicyFile.POLICY + ">",
                "'" + location + "' cannot be found (" + e.getMessage() + ")");
        }
        ReloadingPolicy<InboundPolicy> reloadable = ReloadingPolicy.load("inbound policy",
            () -> PolicyFile.readInbound(file, l -> files.getFile(l).toPath(), clock), InboundTlsGate::summary);
        reloading = reloadable;
        policies = reloadable;
        register(config, Optional.of(reloadable));
        LOGGER.info("TLS Gate inbound policy loaded from {}: {}", file, summary(reloadable.get()));
        reloadable.start(source.reloadInterval());
    }

    /** Registers the policy under the listener's name: the first listener configured like this one not yet named. */
    private void register(Configuration config, Optional<ReloadingPolicy<InboundPolicy>> reloadable) {
        java.util.List<String> candidates = ListenerName.candidates(config, configurations);
        String name = candidates.stream().filter(n -> registry.named(Direction.INBOUND, n).isEmpty()).findFirst()
            .orElse(candidates.isEmpty() ? ListenerName.UNKNOWN : candidates.get(0));
        java.util.function.Supplier<InboundPolicy> current = policies;
        registered = registry.register(new RegisteredPolicy<>(name, Direction.INBOUND, InboundPolicy.class, current, reloadable,
            clock.instant(), InboundTlsGate::summary, p -> p.rules().size()));
    }

    /** Stops the policy file's watcher (James calls this when the listener is destroyed). */
    @Override
    public void destroy() {
        RegisteredPolicy<InboundPolicy> entry = registered;
        if (entry != null) {
            registry.unregister(entry);
        }
        ReloadingPolicy<InboundPolicy> stopping = reloading;
        if (stopping != null) {
            stopping.close();
        }
    }

    static String summary(InboundPolicy policy) {
        return String.format("default rule %s; %d client rule key(s); certificate verification %s; %d relay grant(s)",
            policy.rules().defaultRule(), policy.rules().size(),
            policy.verification().map(v -> v.verifier().checksRevocation() ? "by TLS Gate, with revocation checks"
                    : "by TLS Gate, without revocation checks")
                .orElse("not configured (only James's <clientAuth> truststore can vouch for a certificate)"),
            policy.relayGrants().size());
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String command = request.getCommand().toUpperCase(Locale.ROOT);
        Optional<GateDecision> decided = session.getAttachment(DECISION, State.Connection);
        if (decided.isPresent()) {
            return decided.get().verdict.accepted() ? null : refusal(session, command, decided.get().verdict);
        }
        ClientRule rule = ruleFor(session);
        if (!session.isTLSStarted()) {
            if (rule.match.rule().requiresTls() && !session.isStartTLSSupported() && !warnedNoTls.getAndSet(true)) {
                LOGGER.warn("TLS Gate: rule \"{}\" requires TLS but this listener offers no STARTTLS: every client it applies to"
                    + " is refused (configure <tls> on the listener, or exempt its clients)", rule.match);
            }
            return NEED_TLS.contains(command) ? refuseWithoutTls(session, rule, command) : null;
        }
        TlsRequirement requirement = rule.match.rule();
        SSLSession ssl = SessionTlsFacts.tlsSession(session).orElseThrow();
        TlsFacts facts = SessionTlsFacts.read(session, rule.confirmedName, chain -> verify(rule.policy, ssl, chain, requirement));
        Verdict verdict = PolicyEvaluator.evaluate(requirement, facts);
        if (requirement.requiresCertificate() && facts.peerChain().isEmpty() && !AskingListeners.asked(ssl)
            && !warnedNoCertificates.getAndSet(true)) {
            LOGGER.warn("TLS Gate: rule \"{}\" requires a client certificate but this listener does not ask for one: every client"
                + " it applies to is refused (add <clientAuth> to the listener, or run it as a TLS Gate listener that asks)", rule.match);
        }
        GateDecision decision = new GateDecision(rule.match, facts, verdict);
        session.setAttachment(DECISION, decision, State.Connection);
        String grant = verdict.accepted() ? grantRelay(rule.policy, session, facts) : "";
        LOGGER.info(DecisionLine.of(session.getSessionID(), rule.match.toString(), facts, verdict) + grant);
        report(session, rule, verdict);
        return verdict.accepted() ? null : refusal(session, command, verdict);
    }

    /**
     * The certificate status under the rule. With {@code <verification>} TLS Gate verifies every chain itself;
     * without it, a stock James listener's truststore vouches for the path (James asks for certificates only with
     * clientAuth, and then verifies them), while a listener that only asks vouches for nothing.
     */
    private CertificateStatus verify(InboundPolicy policy, SSLSession ssl, List<X509Certificate> chain, TlsRequirement requirement) {
        TlsRequirement.Level level = requirement.level() == TlsRequirement.Level.FINGERPRINT
            ? TlsRequirement.Level.FINGERPRINT : TlsRequirement.Level.VERIFY;
        Optional<VerificationCache> verification = policy.verification();
        if (verification.isPresent()) {
            return decisions.verifying(() -> verification.get().verify(chain, level, requirement.certificate()));
        }
        ChainVerifier.Path path = AskingListeners.asked(ssl) ? ChainVerifier.Path.TO_CHECK : ChainVerifier.Path.VOUCHED_BY_LISTENER;
        return decisions.verifying(() -> listenerTrusting.verify(chain, level, requirement.certificate(), path));
    }

    /** Relay by certificate: only after the session passed, and only for a verified certificate. */
    private String grantRelay(InboundPolicy policy, SMTPSession session, TlsFacts facts) {
        if (!facts.certificateStatus().isVerified()) {
            return "";
        }
        for (RelayGrant grant : policy.relayGrants()) {
            if (grant.matches(facts.peerChain())) {
                if (grant.user().isPresent()) {
                    Optional<String> problem = authenticate(session, grant.user().get());
                    if (problem.isPresent()) {
                        LOGGER.error("TLS Gate did not grant relay to session {}: {}", session.getSessionID(), problem.get());
                        return " relay=denied reason=\"" + problem.get() + "\"";
                    }
                }
                session.setRelayingAllowed(true);
                return " relay=granted" + grant.user().map(u -> " user=" + u).orElse("");
            }
        }
        return "";
    }

    private Optional<String> authenticate(SMTPSession session, String user) {
        try {
            Username username = Username.of(user);
            if (!users.contains(username)) {
                return Optional.of("the certificate maps to " + user + ", which is not a James user");
            }
            session.setUsername(username);
            return Optional.empty();
        } catch (UsersRepositoryException | IllegalArgumentException e) {
            return Optional.of("cannot check James user " + user + ": " + e.getMessage());
        }
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        Optional<GateDecision> decision = session.getAttachment(DECISION, State.Connection);
        if (decision.isPresent() && decision.get().facts.tlsActive()) {
            try {
                if (!TlsReceivedHeader.annotate(mail.getMessage(), session.getSessionID(), decision.get().facts)) {
                    LOGGER.warn("TLS Gate found no Received header of session {} to annotate", session.getSessionID());
                }
            } catch (MessagingException | RuntimeException e) {
                // The header is informational: never lose or delay mail over it.
                LOGGER.warn("TLS Gate could not annotate the Received header of session {}: {}", session.getSessionID(), e.toString());
            }
        }
        return HookResult.DECLINED;
    }

    /** The sticky refusal of a judged session. */
    private static Response refusal(SMTPSession session, String command, Verdict verdict) {
        if ("STARTTLS".equals(command)) {
            // James's line framer treats whatever follows a STARTTLS line as injected until a handshake happens.
            // None will: let the next command reach this handler and get the same refusal, not a framing error.
            session.stopDetectingCommandInjection();
        }
        return reply(verdict);
    }

    /** Not sticky: a client told to STARTTLS first may do so and carry on. */
    private Response refuseWithoutTls(SMTPSession session, ClientRule rule, String command) {
        TlsFacts facts = SessionTlsFacts.read(session, rule.confirmedName, chain -> CertificateStatus.noTls());
        Verdict verdict = PolicyEvaluator.evaluate(rule.match.rule(), facts);
        if (verdict.accepted()) {
            return null;
        }
        LOGGER.info("{} command={}", DecisionLine.of(session.getSessionID(), rule.match.toString(), facts, verdict), command);
        report(session, rule, verdict);
        return reply(verdict);
    }

    /** Tells the admin surface (metrics, refusal log) of a decision. */
    private void report(SMTPSession session, ClientRule rule, Verdict verdict) {
        RegisteredPolicy<InboundPolicy> entry = registered;
        decisions.decided(Decision.inbound(clock.instant(), entry == null ? ListenerName.UNKNOWN : entry.name(),
            session.getRemoteAddress().getAddress().getHostAddress(), rule.confirmedName,
            session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection), rule.match.toString(), verdict));
    }

    /**
     * The client's rule, looked up once per connection (the lookup may need DNS), under the policy in force at the
     * session's first command: the session keeps that policy (rule, verification, relay grants) to its end, whatever
     * a reload brings meanwhile.
     */
    private ClientRule ruleFor(SMTPSession session) {
        Optional<ClientRule> known = session.getAttachment(CLIENT_RULE, State.Connection);
        if (known.isPresent()) {
            return known.get();
        }
        InboundPolicy current = policies.get();
        InetAddress address = session.getRemoteAddress().getAddress();
        Optional<String> name = current.rules().hasHostEntries() ? names.confirmedName(address) : Optional.empty();
        ClientRule rule = new ClientRule(current, name, current.rules().lookup(name, address.getAddress()));
        session.setAttachment(CLIENT_RULE, rule, State.Connection);
        return rule;
    }

    private static Response reply(Verdict verdict) {
        SMTPResponse response = new SMTPResponse(verdict.replyCode(), verdict.enhancedStatus() + " " + verdict.text());
        if (verdict.closesConnection()) {
            response.setEndSession(true);
        }
        return response;
    }
}
