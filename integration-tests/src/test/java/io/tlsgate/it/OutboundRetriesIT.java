package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;

/**
 * The relay mailet's retry schedule, bounces and special routes in a real James, with delays of a second or two:
 * retries of a policy refusal until maxRetries and the bounce that keeps the last reason; a peer that recovers; a
 * null-sender mail that fails for good (kept in the error repository, not dropped); a domain without any mail server
 * (maxDnsProblemRetries); a gateway, with one transaction per recipient domain.
 *
 * <p>Three relay mailets share the policy: the gateway's (HostIs gwone.test, gwtwo.test), a slow one (HostIs
 * nomx-slow.test; delay 1 hour, so what it queues stays queued) and the main one (delays 1 s then 2 s, maxRetries 2,
 * maxDnsProblemRetries 1).
 */
class OutboundRetriesIT {
    private static final String QUEUE = "outgoing-tlsgate";
    private static final String SLOW_QUEUE = "outgoing-slow";
    private static final String GATEWAY_QUEUE = "outgoing-gateway";
    private static final MailRepositoryUrl ERROR_REPOSITORY = MailRepositoryUrl.from("memory://var/mail/error/");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration SECOND_DELAY = Duration.ofSeconds(2);
    private static final int MAX_RETRIES = 2;

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;
    private static CertificateAuthority foreign;

    private static SmtpPeer gateway;
    private static SmtpPeer untrusted;
    private static SmtpPeer flaky;
    private static SmtpPeer refusing;

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        // The gateway's certificate is from a CA we do not trust: only this rule, keyed on the gateway host, lets it through.
        + "<destination mx=\"gw.relay.test\"><level>encrypt</level><minCipherBits>128</minCipherBits></destination>"
        + "</outbound>\n";

    private static String relayMailets(int gatewayPort) {
        String common = "<policy>file://conf/tlsgate-outbound.xml</policy><sendpartial>true</sendpartial>"
            + "<bounceProcessor>bounces</bounceProcessor>";
        return "<mailet match=\"HostIs=gwone.test, gwtwo.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<outgoing>" + GATEWAY_QUEUE + "</outgoing><gateway>gw.relay.test</gateway><gatewayPort>" + gatewayPort + "</gatewayPort>"
            + "<delayTime>1 hour</delayTime><maxRetries>1</maxRetries></mailet>\n"
            + "<mailet match=\"HostIs=nomx-slow.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<outgoing>" + SLOW_QUEUE + "</outgoing><delayTime>1 hour</delayTime><maxRetries>2</maxRetries>"
            + "<maxDnsProblemRetries>1</maxDnsProblemRetries></mailet>\n"
            + "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<delayTime>1 second, 2 seconds</delayTime><maxRetries>" + MAX_RETRIES + "</maxRetries>"
            + "<maxDnsProblemRetries>1</maxDnsProblemRetries></mailet>";
    }

    @BeforeAll
    static void start() throws Exception {
        foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        // The gateway's port goes into mailetcontainer.xml, so it starts before James (its certificate needs no demo CA).
        gateway = PEERS.started(SmtpPeer.builder().certificate(foreign.issueServer("gw.relay.test", List.of("gw.relay.test"), List.of())));
        DNS.a("gw.relay.test", "127.0.0.1");
        server = SampleServer.setup("OutboundRetriesIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .confFile("mailetcontainer.xml", Outbound.mailetContainer(relayMailets(gateway.port())))
            .smtpServerXml(Outbound.smtpServerWithLoopbackAuthorizedOnMx())
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        untrusted = PEERS.mx("untrusted.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.untrusted.test",
            List.of("mx.untrusted.test"), List.of())));
        flaky = PEERS.mx("flaky.test", SmtpPeer.builder().certificate(serverCertificate("mx.flaky.test"))
            .replyInFirstSessions(1, "RCPT", "450 4.2.0 mailbox busy, try later"));
        refusing = PEERS.mx("refusing.test", SmtpPeer.builder().certificate(serverCertificate("mx.refusing.test"))
            .reply("RCPT", "550 5.1.1 no such user"));
    }

    private static io.tlsgate.demo.pki.IssuedCertificate serverCertificate(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }


    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
        }
        PEERS.all().forEach(peer -> assertThat(peer.errors()).as("errors inside %s", peer).isEmpty());
    }

    private static String host(SmtpPeer peer, String name) {
        return name + "[127.0.0.1]:" + peer.port();
    }

    private static String subject() {
        return "retries " + UUID.randomUUID();
    }

    private static Dsn awaitDsn(String subject) {
        return Outbound.await(WAIT, "a DSN for '" + subject + "' in alice's INBOX",
            () -> Outbound.dsns(server).stream().filter(d -> d.originalSubject.equals(subject)).findFirst());
    }

    private static List<Dsn> dsnsFor(String subject) {
        return Outbound.dsns(server).stream().filter(d -> d.originalSubject.equals(subject)).collect(Collectors.toList());
    }

    private static List<QueueProbe.Queued> queued(String queue, String subject) {
        return server.queue(queue).stream().filter(q -> q.subject.equals(subject)).collect(Collectors.toList());
    }

    private static void assertQuitAfterHandshakeWithoutMailFrom(Session session) {
        assertThat(session.transcript()).as(session.toString())
            .containsExactly("EHLO demo.test", "STARTTLS", "[tls] QUIT");
        assertThat(session.handshake()).as(session.toString()).hasValueSatisfying(h -> assertThat(h.succeeded()).isTrue());
        assertThat(session.sawMailFrom()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
        assertThat(session.ending()).isEqualTo(Session.Ending.QUIT);
    }

    /**
     * (a) An untrusted certificate is a temporary refusal: tried maxRetries + 1 = 3 times, after 1 s and then 2 s,
     * each time QUIT right after the handshake; then a failure DSN that keeps the last reason and says it gave up.
     */
    @Test
    void aTemporaryPolicyRefusalIsRetriedOnScheduleThenBouncedWithTheLastReason() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@untrusted.test"));

        Dsn dsn = awaitDsn(subject);
        String reason = "4.7.0 " + host(untrusted, "mx.untrusted.test")
            + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere (giving up after 3 attempts)";
        assertThat(dsn.recipients).singleElement().satisfies(r -> {
            assertThat(r.finalRecipient).isEqualTo("rfc822; bob@untrusted.test");
            assertThat(r.action).isEqualTo("failed");
            assertThat(r.status).isEqualTo(reason);
            assertThat(r.diagnosticCode).isEqualTo("X-James; " + reason);
        });
        assertThat(dsn.text).contains("Error message:\n" + reason);
        // Bounced means settled: nothing queued is left to try again, so the count of sessions is final.
        assertThat(queued(QUEUE, subject)).isEmpty();
        List<Session> sessions = untrusted.awaitSessions(MAX_RETRIES + 1, WAIT);
        assertThat(sessions).hasSize(MAX_RETRIES + 1);
        sessions.forEach(OutboundRetriesIT::assertQuitAfterHandshakeWithoutMailFrom);
        assertThat(untrusted.messages()).isEmpty();
        // The queue holds a retry back for at least its delay (a lower bound only: never a timing assertion).
        assertThat(Duration.between(sessions.get(0).acceptedAt(), sessions.get(1).acceptedAt())).isGreaterThanOrEqualTo(FIRST_DELAY);
        assertThat(Duration.between(sessions.get(1).acceptedAt(), sessions.get(2).acceptedAt())).isGreaterThanOrEqualTo(SECOND_DELAY);
        assertThat(dsnsFor(subject)).hasSize(1);
    }

    /** (b) A peer that answers 450 to RCPT in the first session and accepts later: delivered once, on the retry, no DSN. */
    @Test
    void aPeerThatRecoversGetsTheMailExactlyOnceOnTheRetry() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@flaky.test", "carol@flaky.test"));

        Received message = flaky.awaitMessages(1, WAIT).get(0);
        assertThat(message.text()).contains("Subject: " + subject);
        assertThat(message.recipients()).containsExactly("bob@flaky.test", "carol@flaky.test");
        assertThat(message.sessionId()).isEqualTo(2);
        Outbound.await(WAIT, "the mail to leave the queue", () -> queued(QUEUE, subject).isEmpty() ? Optional.of(true) : Optional.empty());
        List<Session> sessions = flaky.awaitSessions(2, WAIT);
        assertThat(sessions).hasSize(2);
        assertThat(sessions.get(0).transcript()).containsExactly("EHLO demo.test", "STARTTLS", "[tls] EHLO demo.test",
            "[tls] MAIL FROM:<" + DemoServer.USER + ">", "[tls] RCPT TO:<bob@flaky.test>", "[tls] RCPT TO:<carol@flaky.test>",
            "[tls] RSET", "[tls] QUIT");
        assertThat(sessions.get(0).receivedDataBytes()).isZero();
        assertThat(Duration.between(sessions.get(0).acceptedAt(), sessions.get(1).acceptedAt())).isGreaterThanOrEqualTo(FIRST_DELAY);
        assertThat(flaky.messages()).hasSize(1);
        assertThat(dsnsFor(subject)).isEmpty();
    }

    /**
     * (c) A null-sender mail refused for good has nobody to bounce to: it is kept in the error repository with the
     * reason (James's RemoteDelivery 3.8.1 drops it), and no DSN is made.
     */
    @Test
    void aNullSenderMailThatFailsForGoodIsKeptInTheErrorRepository() throws Exception {
        String subject = subject();
        Outbound.submitWithNullSender(server, ca.certificate(), subject, List.of("nobody@refusing.test"));

        Mail kept = Outbound.await(WAIT, "the null-sender mail in " + ERROR_REPOSITORY.asString(), () -> errorMails(subject).stream().findFirst());
        assertThat(kept.getMaybeSender().isNullSender()).isTrue();
        assertThat(kept.getRecipients()).extracting(r -> r.asString()).containsExactly("nobody@refusing.test");
        String reason = attribute(kept, "delivery-error");
        assertThat(reason).isEqualTo("5.1.1 " + host(refusing, "mx.refusing.test") + ": 550 5.1.1 no such user");
        assertThat(attribute(kept, "is-delivery-permanent-error")).isEqualTo("true");
        assertThat(kept.getErrorMessage()).isEqualTo(reason);
        assertThat(errorMails(subject)).hasSize(1);

        Session session = refusing.awaitSessions(1, WAIT).stream()
            .filter(s -> s.transcript().contains("[tls] RCPT TO:<nobody@refusing.test>")).findFirst().orElseThrow();
        assertThat(session.transcript()).contains("[tls] MAIL FROM:<>");
        assertThat(session.receivedDataBytes()).isZero();
        assertThat(queued(QUEUE, subject)).isEmpty();
        assertThat(dsnsFor(subject)).isEmpty();
    }


    private static List<Mail> errorMails(String subject) {
        return Outbound.repositoryMails(server, ERROR_REPOSITORY).stream().filter(m -> Outbound.subjectOf(m).equals(subject))
            .collect(Collectors.toList());
    }

    private static String attribute(Mail mail, String name) {
        return mail.getAttribute(AttributeName.of(name)).map(a -> String.valueOf(a.getValue().value())).orElse("<absent>");
    }

    /**
     * (d) No MX and no address: with maxDnsProblemRetries 1 the first attempt is temporary (4.4.4, queued again), the
     * next one permanent (5.4.4, bounced at once).
     */
    @Test
    void aDomainWithoutMailServersIsRetriedMaxDnsProblemRetriesTimesThenBounced() {
        String slow = subject();
        Outbound.submit(server, ca.certificate(), slow, List.of("bob@nomx-slow.test"));
        QueueProbe.Queued queued = Outbound.await(WAIT, "the mail to nomx-slow.test queued for a retry",
            () -> queued(SLOW_QUEUE, slow).stream().filter(q -> q.retries > 0).findFirst());
        assertThat(queued.recipients).containsExactly("bob@nomx-slow.test");
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.error).isEqualTo("4.4.4 no mail server found for nomx-slow.test");

        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@nomx.test"));
        Dsn dsn = awaitDsn(subject);
        assertThat(dsn.recipients).singleElement().satisfies(r -> {
            assertThat(r.finalRecipient).isEqualTo("rfc822; bob@nomx.test");
            assertThat(r.action).isEqualTo("failed");
            assertThat(r.status).isEqualTo("5.4.4 no mail server found for nomx.test");
        });
        assertThat(queued(QUEUE, subject)).isEmpty();
        assertThat(dsnsFor(subject)).hasSize(1);
        assertThat(queued(SLOW_QUEUE, slow)).hasSize(1);
    }

    /**
     * (e) With a gateway every mail goes to it, whatever the domain's MX (these domains have none), under the rule
     * keyed on the gateway host, and one transaction per recipient domain: each copy is judged under its own rule.
     */
    @Test
    void throughAGatewayEachRecipientDomainGetsItsOwnTransaction() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@gwone.test", "dave@gwtwo.test", "carol@gwone.test"));

        List<Received> messages = gateway.awaitMessages(2, WAIT);
        Outbound.await(WAIT, "the gateway's queue to empty",
            () -> queued(GATEWAY_QUEUE, subject).isEmpty() ? Optional.of(true) : Optional.empty());
        assertThat(gateway.messages()).hasSize(2);
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.text()).contains("Subject: " + subject);
            assertThat(m.tls()).isTrue();
            assertThat(m.sender()).isEqualTo(DemoServer.USER);
        });
        assertThat(messages).extracting(m -> List.copyOf(new java.util.TreeSet<>(m.recipients())))
            .containsExactlyInAnyOrder(List.of("bob@gwone.test", "carol@gwone.test"), List.of("dave@gwtwo.test"));
        List<Session> sessions = gateway.awaitSessions(2, WAIT);
        assertThat(sessions).hasSize(2);
        assertThat(messages.get(0).sessionId()).isNotEqualTo(messages.get(1).sessionId());
        for (Session session : sessions) {
            assertThat(session.transcript().stream().filter(line -> line.startsWith("[tls] MAIL FROM:"))).as(session.toString()).hasSize(1);
            assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("gw.relay.test");
        }
        assertThat(dsnsFor(subject)).isEmpty();
    }
}
