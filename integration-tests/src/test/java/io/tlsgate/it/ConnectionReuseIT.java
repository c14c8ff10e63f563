package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;

/**
 * The relay mailet's connection reuse in a real James, against real peers that count their sessions and MAIL
 * transactions: mail for the same destination, judged under the same policy to the same rules and MX, shares one
 * verified TLS connection (RSET between messages); a reload, another rule, a refused MX or reuse off gives a new
 * connection; a peer that dropped an idle connection gets the next mail over a fresh one, with nothing lost; the
 * message limit, the idle time and the mailet's end close connections with QUIT.
 *
 * <p>Three relay mailets share the policy file: one with reuse off (HostIs noreuse.test), one with a short idle time
 * (HostIs shortidle.test) and the main one (reuse on, at most 3 messages per connection, idle up to 30 s, so that
 * nothing in a test waits for it).
 */
class ConnectionReuseIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SENDER = DemoServer.USER;

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;
    private static Path policyFile;

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minProtocol>TLSv1.2</minProtocol></default>"
        // A rule of its own for one recipient: its mail is judged under another rule than the rest of its domain.
        + "<destination recipient=\"vip@rules.test\"><level>verify</level><minCipherBits>128</minCipherBits></destination>"
        + "</outbound>\n";

    private static String relayMailets() {
        String common = "<policy>file://conf/tlsgate-outbound.xml</policy><reloadInterval>200 ms</reloadInterval>"
            + "<sendpartial>true</sendpartial><bounceProcessor>bounces</bounceProcessor><delayTime>1 hour</delayTime><maxRetries>1</maxRetries>";
        return "<mailet match=\"HostIs=noreuse.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<outgoing>outgoing-noreuse</outgoing></mailet>\n"
            + "<mailet match=\"HostIs=shortidle.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<outgoing>outgoing-shortidle</outgoing><connectionReuse>true</connectionReuse>"
            + "<connectionReuseIdleTime>300 ms</connectionReuseIdleTime></mailet>\n"
            + "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + common
            + "<connectionReuse>true</connectionReuse><connectionReuseLimit>3</connectionReuseLimit>"
            + "<connectionReuseIdleTime>30 seconds</connectionReuseIdleTime></mailet>";
    }

    private static SmtpPeer one;
    private static SmtpPeer limited;
    private static SmtpPeer reloaded;
    private static SmtpPeer rules;
    private static SmtpPeer dropping;
    private static SmtpPeer noReuse;
    private static SmtpPeer shortIdle;
    private static SmtpPeer untrusted;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("ConnectionReuseIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .confFile("mailetcontainer.xml", Outbound.mailetContainer(relayMailets()))
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        policyFile = server.workingDirectory().resolve("conf/tlsgate-outbound.xml");
        one = PEERS.mx("one.test", trusted("mx.one.test"));
        limited = PEERS.mx("limit.test", trusted("mx.limit.test"));
        reloaded = PEERS.mx("reload.test", trusted("mx.reload.test"));
        rules = PEERS.mx("rules.test", trusted("mx.rules.test"));
        // Drops a connection that stays silent for 3 s: long for a transaction on loopback, short for the cache's 30 s.
        dropping = PEERS.mx("dropping.test", trusted("mx.dropping.test").readTimeout(Duration.ofSeconds(3)));
        noReuse = PEERS.mx("noreuse.test", trusted("mx.noreuse.test"));
        shortIdle = PEERS.mx("shortidle.test", trusted("mx.shortidle.test"));
        CertificateAuthority foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        untrusted = PEERS.mx("untrusted.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.untrusted.test",
            List.of("mx.untrusted.test"), List.of())));
    }

    private static SmtpPeer.Builder trusted(String name) {
        return SmtpPeer.builder().certificate(ca.issueServer(name, List.of(name), List.of()));
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
                // The mailets' end closed every cached connection with QUIT; only the dropping peer cut one itself.
                for (SmtpPeer peer : List.of(one, limited, reloaded, rules, noReuse, shortIdle, untrusted)) {
                    List<Session> sessions = peer.awaitSessions(peer.sessions().size(), WAIT);
                    assertThat(sessions).as("sessions of %s", peer).allSatisfy(s -> assertThat(s.ending()).as(s.toString())
                        .isEqualTo(Session.Ending.QUIT));
                }
                assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.getName().equals("TlsGate-Relay-ConnectionCache") && t.isAlive());
            }
        } finally {
            PEERS.close();
        }
        PEERS.all().forEach(peer -> assertThat(peer.errors()).as("errors inside %s", peer).isEmpty());
    }

    /** Submits one message for this recipient and waits until its MX has it; returns it. */
    private static Received deliver(SmtpPeer peer, String recipient) {
        String subject = "reuse " + UUID.randomUUID();
        int before = peer.messages().size();
        Outbound.submit(server, ca.certificate(), subject, List.of(recipient));
        List<Received> messages = peer.awaitMessages(before + 1, WAIT);
        Received received = messages.get(messages.size() - 1);
        assertThat(received.text()).contains("Subject: " + subject);
        assertThat(received.recipients()).containsExactly(recipient);
        assertThat(received.tls()).isTrue();
        return received;
    }

    private static long mailTransactions(Session session) {
        return session.transcript().stream().filter(line -> line.startsWith("[tls] MAIL FROM:")).count();
    }

    private static List<String> transaction(String recipient) {
        return List.of("[tls] MAIL FROM:<" + SENDER + ">", "[tls] RCPT TO:<" + recipient + ">", "[tls] DATA");
    }

    @Test
    void twoMailsToOneDestinationGoOverOneConnectionWithRsetBetween() {
        Received first = deliver(one, "bob@one.test");
        Received second = deliver(one, "carol@one.test");

        assertThat(second.sessionId()).isEqualTo(first.sessionId());
        assertThat(one.sessions()).hasSize(1);
        Session session = one.sessions().get(0);
        assertThat(session.ended()).isFalse();
        List<String> expected = new java.util.ArrayList<>(List.of("EHLO demo.test", "STARTTLS", "[tls] EHLO demo.test"));
        expected.addAll(transaction("bob@one.test"));
        expected.add("[tls] RSET");
        expected.addAll(transaction("carol@one.test"));
        assertThat(session.transcript()).containsExactlyElementsOf(expected);
        // Each mail's own decision is logged (the second judged again on the cached connection's TLS).
        String mx = " mx=mx.one.test[127.0.0.1]:" + one.port() + " ";
        List<String> decisions = Outbound.await(WAIT, "two decision lines for" + mx, () -> {
            List<String> lines = ItLog.read().lines().filter(l -> l.contains(mx)).collect(Collectors.toList());
            return lines.size() >= 2 ? Optional.of(lines) : Optional.empty();
        });
        assertThat(decisions).hasSize(2).allSatisfy(line -> assertThat(line).contains(" rule=\"default\" tls=TLSv1.")
            .contains(" verify=OK ").endsWith(" verdict=accept result=delivered"));
    }

    @Test
    void aConnectionCarriesAtMostTheLimitThenQuits() {
        for (int i = 1; i <= 4; i++) {
            deliver(limited, "user" + i + "@limit.test");
        }

        List<Received> messages = limited.messages();
        assertThat(messages).extracting(Received::sessionId).containsExactly(1, 1, 1, 2);
        Session full = limited.awaitSessions(1, WAIT).get(0);
        assertThat(mailTransactions(full)).isEqualTo(3);
        assertThat(full.transcript()).endsWith("[tls] DATA", "[tls] QUIT");
        assertThat(full.ending()).isEqualTo(Session.Ending.QUIT);
        assertThat(mailTransactions(limited.sessions().get(1))).isEqualTo(1);
    }

    @Test
    void aReloadedPolicyDoesNotReuseAConnectionJudgedUnderTheOldOne() throws Exception {
        deliver(reloaded, "bob@reload.test");
        String line = "TLS Gate outbound policy reloaded from " + policyFile;
        int before = count(ItLog.read(), line);
        // The same rules, read again: a new policy, so a new judgement and a new connection.
        Files.writeString(policyFile, Files.readString(policyFile).replace("</outbound>", "<!-- edited -->\n</outbound>"));
        // Three mailets read the file: each reloads it.
        Outbound.await(WAIT, "three reloads of " + policyFile, () -> count(ItLog.read(), line) >= before + 3 ? Optional.of(true)
            : Optional.empty());

        deliver(reloaded, "carol@reload.test");

        assertThat(reloaded.messages()).extracting(Received::sessionId).containsExactly(1, 2);
        assertThat(reloaded.sessions()).hasSize(2).allSatisfy(s -> assertThat(mailTransactions(s)).isEqualTo(1));
    }

    @Test
    void aRecipientWithAnotherRuleGetsAConnectionOfItsOwn() {
        deliver(rules, "bob@rules.test");
        deliver(rules, "vip@rules.test");
        deliver(rules, "carol@rules.test");

        // vip@ is judged under its own rule: not over bob's connection, which carol's mail then reuses.
        assertThat(rules.messages()).extracting(Received::sessionId).containsExactly(1, 2, 1);
        assertThat(rules.sessions()).hasSize(2);
        assertThat(mailTransactions(rules.sessions().get(0))).isEqualTo(2);
        assertThat(mailTransactions(rules.sessions().get(1))).isEqualTo(1);
    }

    @Test
    void aConnectionThePeerDroppedWhileIdleIsReplacedAndNothingIsLost() {
        deliver(dropping, "bob@dropping.test");
        Session dropped = dropping.awaitSessions(1, WAIT).get(0);
        assertThat(dropped.ending()).isEqualTo(Session.Ending.TIMEOUT);

        Received second = deliver(dropping, "carol@dropping.test");

        assertThat(second.sessionId()).isEqualTo(2);
        assertThat(dropping.messages()).hasSize(2);
        assertThat(mailTransactions(dropped)).isEqualTo(1);
        assertThat(dropping.sessions().get(1).transcript()).startsWith("EHLO demo.test", "STARTTLS", "[tls] EHLO demo.test",
            "[tls] MAIL FROM:<" + SENDER + ">", "[tls] RCPT TO:<carol@dropping.test>");
        assertThat(server.queue("outgoing-tlsgate")).noneMatch(q -> q.recipients.contains("carol@dropping.test"));
        assertThat(Outbound.dsns(server)).noneMatch(d -> d.recipients.stream().anyMatch(r -> r.finalRecipient.contains("dropping.test")));
    }

    @Test
    void withReuseOffEachMailHasItsOwnConnection() {
        deliver(noReuse, "bob@noreuse.test");
        deliver(noReuse, "carol@noreuse.test");

        assertThat(noReuse.messages()).extracting(Received::sessionId).containsExactly(1, 2);
        List<Session> sessions = noReuse.awaitSessions(2, WAIT);
        assertThat(sessions).allSatisfy(s -> {
            assertThat(mailTransactions(s)).isEqualTo(1);
            assertThat(s.transcript()).doesNotContain("[tls] RSET").endsWith("[tls] DATA", "[tls] QUIT");
        });
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterItsIdleTime() {
        deliver(shortIdle, "bob@shortidle.test");

        Session session = shortIdle.awaitSessions(1, WAIT).get(0);
        assertThat(session.ending()).isEqualTo(Session.Ending.QUIT);
        assertThat(session.transcript()).endsWith("[tls] DATA", "[tls] QUIT").doesNotContain("[tls] RSET");
    }

    @Test
    void aRefusedMxIsNeverCached() {
        Outbound.submit(server, ca.certificate(), "refused 1", List.of("bob@untrusted.test"));
        Outbound.submit(server, ca.certificate(), "refused 2", List.of("carol@untrusted.test"));

        List<Session> sessions = untrusted.awaitSessions(2, WAIT);
        assertThat(sessions).hasSize(2).allSatisfy(s -> {
            assertThat(s.transcript()).as(s.toString()).containsExactly("EHLO demo.test", "STARTTLS", "[tls] QUIT");
            assertThat(s.ending()).isEqualTo(Session.Ending.QUIT);
        });
        assertThat(untrusted.messages()).isEmpty();
        // The peer sees QUIT before the relay puts the mail back on the queue: wait for both to be back, for a retry.
        List<String> queued = Outbound.await(WAIT, "both refused mails queued again", () -> {
            List<String> subjects = server.queue("outgoing-tlsgate").stream().filter(q -> q.subject.startsWith("refused ") && q.retries == 1)
                .map(q -> q.subject).collect(Collectors.toList());
            return subjects.size() >= 2 ? Optional.of(subjects) : Optional.empty();
        });
        assertThat(queued).containsExactlyInAnyOrder("refused 1", "refused 2");
        assertThat(untrusted.sessions()).hasSize(2);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
