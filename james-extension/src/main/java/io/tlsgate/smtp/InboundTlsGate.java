package io.tlsgate.smtp;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.UnknownCommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.config.InboundPolicyReader;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.PolicyEvaluator;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

/**
 * The inbound TLS gate: a command handler placed in a listener's {@code <handlerchain>} of
 * {@code smtpserver.xml}, ahead of James's core handlers.
 *
 * <ul>
 *   <li>Before TLS, commands that carry mail or credentials (MAIL, RCPT, DATA, AUTH, VRFY, EXPN) are refused
 *       with {@code 530 5.7.0} when the client's rule requires TLS. The client may still STARTTLS.</li>
 *   <li>At the first command after the TLS handshake the session is judged once against the client's rule.
 *       A refusal answers that command and, for the rest of the session, every command except QUIT (or the
 *       connection is closed, if the rule says so). James keeps HELO state across STARTTLS, so nothing is
 *       decided earlier.</li>
 *   <li>A session that passes is left alone: the handler answers nothing, and James's own handlers, relay
 *       and identity checks included, run as usual.</li>
 * </ul>
 */
public class InboundTlsGate implements CommandHandler<SMTPSession> {
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
    private volatile PeerTable<TlsRequirement> policy;

    @Inject
    public InboundTlsGate(DNSService dns) {
        this.names = new ClientNameResolver(dns);
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        policy = InboundPolicyReader.read(config);
        LOGGER.info("TLS Gate inbound policy loaded: default rule {}; {} client rule key(s)", policy.defaultRule(), policy.size());
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
            return NEED_TLS.contains(command) ? refuseWithoutTls(session, rule, command) : null;
        }
        TlsFacts facts = SessionTlsFacts.read(session, rule.confirmedName);
        GateDecision decision = new GateDecision(rule.match, facts, PolicyEvaluator.evaluate(rule.match.rule(), facts));
        session.setAttachment(DECISION, decision, State.Connection);
        LOGGER.info(DecisionLog.line(session.getSessionID(), rule.match, facts, decision.verdict));
        return decision.verdict.accepted() ? null : refusal(session, command, decision.verdict);
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
        TlsFacts facts = SessionTlsFacts.read(session, rule.confirmedName);
        Verdict verdict = PolicyEvaluator.evaluate(rule.match.rule(), facts);
        if (verdict.accepted()) {
            return null;
        }
        LOGGER.info("{} command={}", DecisionLog.line(session.getSessionID(), rule.match, facts, verdict), command);
        return reply(verdict);
    }

    /** The client's rule, looked up once per connection (the lookup may need DNS). */
    private ClientRule ruleFor(SMTPSession session) {
        Optional<ClientRule> known = session.getAttachment(CLIENT_RULE, State.Connection);
        if (known.isPresent()) {
            return known.get();
        }
        PeerTable<TlsRequirement> table = policy;
        InetAddress address = session.getRemoteAddress().getAddress();
        Optional<String> name = table.hasHostEntries() ? names.confirmedName(address) : Optional.empty();
        ClientRule rule = new ClientRule(name, table.lookup(name, address.getAddress()));
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
