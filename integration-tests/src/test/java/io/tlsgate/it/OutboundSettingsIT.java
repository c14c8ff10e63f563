package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
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
 * Stock RemoteDelivery settings keep their meaning in the relay mailet: heloName, gateway credentials (AUTH only after
 * the policy check, never to a refused server), onSuccess, timeout and usePriority. One mailet per setting, each
 * selected by the recipient domain, all under the same policy (level verify with the demo CA).
 */
class OutboundSettingsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final MailRepositoryUrl RELAYED = MailRepositoryUrl.from("memory://var/mail/relayed/");
    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level></default>"
        + "</outbound>\n";

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;
    private static SilentServer silent;

    private static SmtpPeer helo;
    private static SmtpPeer gateway;
    private static SmtpPeer untrustedGateway;
    private static SmtpPeer success;
    private static SmtpPeer busy;

    /** Accepts connections and never says a word: a server that hangs before its greeting. */
    private static final class SilentServer implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

        SilentServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(socket.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static String mailet(String domain, String settings) {
        return "<mailet match=\"HostIs=" + domain + "\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">"
            + "<policy>file://conf/tlsgate-outbound.xml</policy><bounceProcessor>bounces</bounceProcessor>"
            + "<delayTime>1 hour</delayTime><maxRetries>3</maxRetries>"
            + "<outgoing>outgoing-" + domain.replace('.', '-') + "</outgoing>" + settings + "</mailet>\n";
    }

    private static String relayMailets(int gatewayPort, int untrustedGatewayPort, int silentPort) {
        return mailet("helo.test", "<heloName>relay.tlsgate.test</heloName>")
            + mailet("auth.test", "<gateway>gw.auth.test</gateway><gatewayPort>" + gatewayPort + "</gatewayPort>"
                + "<gatewayUsername>relay-user</gatewayUsername><gatewayPassword>relay-secret</gatewayPassword>")
            + mailet("authbad.test", "<gateway>gw.authbad.test</gateway><gatewayPort>" + untrustedGatewayPort + "</gatewayPort>"
                + "<gatewayUsername>relay-user</gatewayUsername><gatewayPassword>relay-secret</gatewayPassword>")
            + mailet("success.test", "<onSuccess>relayed</onSuccess>")
            + mailet("slow.test", "<gateway>gw.slow.test</gateway><gatewayPort>" + silentPort + "</gatewayPort>"
                + "<timeout>1000</timeout><connectiontimeout>1000</connectiontimeout>")
            + mailet("priority.test", "<usePriority>true</usePriority>");
    }

    /** conf-samples' mailet container with these relay mailets and a processor that keeps what onSuccess hands it. */
    private static String mailetContainer(String relayMailets) {
        String xml = Outbound.mailetContainer(relayMailets);
        String end = "</processors>";
        assertThat(xml).contains(end);
        return xml.replace(end, "<processor state=\"relayed\" enableJmx=\"true\">\n"
            + "<mailet match=\"All\" class=\"ToRepository\"><repositoryPath>" + RELAYED.asString() + "</repositoryPath></mailet>\n"
            + "</processor>\n" + end);
    }

    @BeforeAll
    static void start() throws Exception {
        CertificateAuthority foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        // Gateway ports go into mailetcontainer.xml, written before James starts, but the demo CA that must issue the
        // trusted gateway's certificate exists only once James has started: that gateway gets a port reserved now.
        untrustedGateway = PEERS.started(SmtpPeer.builder().certificate(foreign.issueServer("gw.authbad.test", List.of("gw.authbad.test"), List.of())));
        silent = new SilentServer();
        int gatewayPort = freePort();
        DNS.a("gw.auth.test", "127.0.0.1").a("gw.authbad.test", "127.0.0.1").a("gw.slow.test", "127.0.0.1");
        server = SampleServer.setup("OutboundSettingsIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .confFile("mailetcontainer.xml", mailetContainer(relayMailets(gatewayPort, untrustedGateway.port(), silent.socket.getLocalPort())))
            .smtpServerXml(Outbound.smtpServerWithLoopbackAuthorizedOnMx())
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        gateway = PEERS.started(SmtpPeer.builder().port(gatewayPort).certificate(serverCertificate("gw.auth.test")));
        helo = PEERS.mx("helo.test", SmtpPeer.builder().certificate(serverCertificate("mx.helo.test")));
        success = PEERS.mx("success.test", SmtpPeer.builder().certificate(serverCertificate("mx.success.test")));
        busy = PEERS.mx("priority.test", SmtpPeer.builder().certificate(serverCertificate("mx.priority.test"))
            .reply("RCPT", "450 4.2.0 mailbox busy, try later"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static io.tlsgate.demo.pki.IssuedCertificate serverCertificate(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }


    @AfterAll
    static void stop() throws IOException {
        PEERS.close();
        if (silent != null) {
            silent.close();
        }
        if (server != null) {
            server.close();
        }
        PEERS.all().forEach(peer -> assertThat(peer.errors()).as("errors inside %s", peer).isEmpty());
    }

    private static String subject() {
        return "settings " + UUID.randomUUID();
    }

    private static List<QueueProbe.Queued> queued(String domain, String subject) {
        return server.queue("outgoing-" + domain.replace('.', '-')).stream().filter(q -> q.subject.equals(subject)).collect(Collectors.toList());
    }

    private static List<Mail> relayed(String subject) {
        return Outbound.repositoryMails(server, RELAYED).stream().filter(m -> Outbound.subjectOf(m).equals(subject)).collect(Collectors.toList());
    }

    private static QueueProbe.Queued awaitRetry(String domain, String subject) {
        return Outbound.await(WAIT, "the mail to " + domain + " queued for a retry",
            () -> queued(domain, subject).stream().filter(q -> q.retries > 0).findFirst());
    }

    @Test
    void heloNameIsWhatTheRelayGreetsWith() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@helo.test"));

        Received message = helo.awaitMessages(1, WAIT).get(0);
        assertThat(message.text()).contains("Subject: " + subject);
        Session session = helo.sessions().stream().filter(s -> s.id() == message.sessionId()).findFirst().orElseThrow();
        assertThat(session.transcript()).startsWith("EHLO relay.tlsgate.test", "STARTTLS", "[tls] EHLO relay.tlsgate.test");
    }

    @Test
    void gatewayCredentialsAreSentOnlyOverTheCheckedTlsSession() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@auth.test"));

        Received message = gateway.awaitMessages(1, WAIT).get(0);
        assertThat(message.text()).contains("Subject: " + subject);
        assertThat(message.tls()).isTrue();
        Session session = gateway.sessions().stream().filter(s -> s.id() == message.sessionId()).findFirst().orElseThrow();
        assertThat(session.authenticatedUser()).hasValue("relay-user");
        List<String> transcript = session.transcript();
        assertThat(transcript.subList(0, 3)).containsExactly("EHLO demo.test", "STARTTLS", "[tls] EHLO demo.test");
        assertThat(transcript.get(3)).startsWith("[tls] AUTH ");
        assertThat(transcript.stream().filter(line -> line.contains("AUTH")).filter(line -> !line.startsWith("[tls] "))).isEmpty();
        assertThat(String.join("\n", transcript)).doesNotContain("relay-secret");
        assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("gw.auth.test");
    }

    @Test
    void aGatewayThatFailsThePolicyGetsQuitBeforeAuth() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@authbad.test"));

        QueueProbe.Queued queued = awaitRetry("authbad.test", subject);
        assertThat(queued.recipients).containsExactly("bob@authbad.test");
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.error).isEqualTo("4.7.0 gw.authbad.test[127.0.0.1]:" + untrustedGateway.port()
            + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
        Session session = untrustedGateway.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).containsExactly("EHLO demo.test", "STARTTLS", "[tls] QUIT");
        assertThat(session.sawAuth()).isFalse();
        assertThat(session.authenticatedUser()).isEmpty();
        assertThat(session.sawMailFrom()).isFalse();
        assertThat(untrustedGateway.messages()).isEmpty();
    }

    @Test
    void onSuccessReceivesTheDeliveredMail() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@success.test", "carol@success.test"));

        assertThat(success.awaitMessages(1, WAIT).get(0).recipients()).containsExactly("bob@success.test", "carol@success.test");
        Mail copy = Outbound.await(WAIT, "the delivered mail in " + RELAYED.asString(),
            () -> relayed(subject).stream().findFirst());
        assertThat(copy.getRecipients()).extracting(r -> r.asString()).containsExactly("bob@success.test", "carol@success.test");
        assertThat(relayed(subject)).hasSize(1);
        assertThat(queued("success.test", subject)).isEmpty();
    }

    @Test
    void aServerSilentBeyondTheTimeoutIsATemporaryFailure() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@slow.test"));

        QueueProbe.Queued queued = awaitRetry("slow.test", subject);
        assertThat(queued.recipients).containsExactly("bob@slow.test");
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.error).startsWith("4.4.1 gw.slow.test[127.0.0.1]:" + silent.socket.getLocalPort() + ": 4.4.1 ")
            .containsIgnoringCase("timed out");
        assertThat(silent.accepted).hasSize(1);
    }

    @Test
    void usePriorityQueuesTheMailWithHighPriority() {
        String subject = subject();
        Outbound.submit(server, ca.certificate(), subject, List.of("bob@priority.test"));

        QueueProbe.Queued queued = awaitRetry("priority.test", subject);
        assertThat(queued.priority).hasValue(9);
        assertThat(queued.error).isEqualTo("4.2.0 mx.priority.test[127.0.0.1]:" + busy.port() + ": 450 4.2.0 mailbox busy, try later");
        assertThat(busy.messages()).isEmpty();
    }

}
