package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * A Sendmail access file drives both sides of a real James: the inbound gate of two extra listeners (standard and
 * Sendmail reply codes) and the relay mailet's policy file both name {@code file://conf/access}. (A bad access file
 * stopping James is in BadConfigurationIT: a failed start needs a JVM without another James.)
 */
class AccessFileIT {
    private static final String QUEUE = "outgoing-tlsgate";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ACCESS = String.join("\n",
        "# TLS Gate AccessFileIT: a Sendmail access file",
        "Connect:127.0.0.1\t\tRELAY",
        "TLS_Clt:127.0.0.1\t\tPERM+VERIFY:128",
        "TLS_Clt:\t\t\tENCR:128",
        "",
        "TLS_Srv:\t\t\tVERIFY:128",
        "TLS_Rcpt:weak.test\t\tENCR:256",
        "TLS_Srv:mx.perm.test\t\tPERM+VERIFY+CN:nobody.perm.test",
        "Try_TLS:mx.notls.test\t\tNO",
        // TLS_Rcpt and TLS_Srv entries for the same delivery: both apply, as in Sendmail
        "TLS_Rcpt:both.test\t\tENCR:256",
        "TLS_Srv:mx.both.test\t\tVERIFY",
        "TLS_Rcpt:srvfloor.test\t\tENCR:128",
        "TLS_Srv:mx.srvfloor.test\t\tVERIFY:256",
        "TLS_Rcpt:rcptnotls.test\t\tENCR:128",
        "Try_TLS:mx.rcptnotls.test\t\tNO",
        "");
    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<accessFile>file://conf/access</accessFile>"
        + "</outbound>\n";

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;
    private static SmtpPeer good;
    private static SmtpPeer weak;
    private static SmtpPeer perm;
    private static SmtpPeer notls;
    private static SmtpPeer both;
    private static SmtpPeer srvFloor;
    private static SmtpPeer rcptNoTls;

    @BeforeAll
    static void start() throws Exception {
        String sample = Files.readString(SampleServer.home().resolve("conf-samples").resolve("inbound-gate").resolve("smtpserver.xml"));
        String smtpServers = sample.replace("</smtpservers>",
            GateListener.listener("smtpserver-access", "<accessFile>file://conf/access</accessFile>", false)
                + GateListener.listener("smtpserver-access-sendmail",
                    "<accessFile>file://conf/access</accessFile><replyCodes>sendmail</replyCodes>", false)
                + "</smtpservers>");
        server = SampleServer.setup("AccessFileIT")
            .smtpServerXml(smtpServers)
            .confFile("access", ACCESS)
            .confFile("tlsgate-outbound.xml", POLICY)
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        good = PEERS.mx("good.test", SmtpPeer.builder().certificate(ca.issueServer("mx.good.test", List.of("mx.good.test"), List.of())));
        weak = PEERS.mx("weak.test", SmtpPeer.builder().certificate(ca.issueServer("mx.weak.test", List.of("mx.weak.test"), List.of()))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
        perm = PEERS.mx("perm.test", SmtpPeer.builder().certificate(ca.issueServer("mx.perm.test", List.of("mx.perm.test"), List.of())));
        notls = PEERS.mx("notls.test", SmtpPeer.builder().certificate(ca.issueServer("mx.notls.test", List.of("mx.notls.test"), List.of())));
        both = PEERS.mx("both.test", SmtpPeer.builder().certificate(ca.issueServer("mx.both.test", List.of("mx.both.test"), List.of()))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
        srvFloor = PEERS.mx("srvfloor.test", SmtpPeer.builder()
            .certificate(ca.issueServer("mx.srvfloor.test", List.of("mx.srvfloor.test"), List.of()))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
        rcptNoTls = PEERS.mx("rcptnotls.test", SmtpPeer.builder()
            .certificate(ca.issueServer("mx.rcptnotls.test", List.of("mx.rcptnotls.test"), List.of())));
    }

    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
        }
    }

    private static SmtpClient plain(String listener) {
        SmtpClient client = SmtpClient.connect("127.0.0.1", server.port(listener));
        assertThat(client.readReply().code()).isEqualTo(220);
        assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
        return client;
    }

    @Test
    void inboundTlsCltEntryRefusesAClientWithoutCertificate() {
        try (SmtpClient client = plain("smtpserver-access")) {
            // TLS_Clt:127.0.0.1 PERM+VERIFY:128: before STARTTLS a permanent 530, after it no certificate, permanent.
            assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            assertThat(client.startTls(TlsOptions.trusting(ca.certificate())).code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example.net").toString())
                .isEqualTo("554 5.7.0 certificate required, none presented");
            assertThat(client.command("MAIL FROM:<sender@example.net>").toString())
                .isEqualTo("554 5.7.0 certificate required, none presented");
        }
    }

    @Test
    void sendmailReplyCodesOnRequest() {
        try (SmtpClient client = plain("smtpserver-access-sendmail")) {
            assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("503 5.7.0 Must issue a STARTTLS command first");
            assertThat(client.startTls(TlsOptions.trusting(ca.certificate())).code()).isEqualTo(220);
            assertThat(client.command("MAIL FROM:<sender@example.net>").toString())
                .isEqualTo("503 5.7.0 certificate required, none presented");
        }
    }

    private static String submit(String recipient) {
        String subject = "access " + UUID.randomUUID();
        Outbound.submit(server, ca.certificate(), subject, List.of(recipient));
        return subject;
    }

    private static void assertQuitBeforeMailFrom(Session session) {
        assertThat(session.transcript()).as(session.toString()).contains("STARTTLS").endsWith("[tls] QUIT");
        assertThat(session.sawMailFrom()).as(session.toString()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
    }

    @Test
    void outboundDefaultFromTheAccessFileDelivers() throws Exception {
        String subject = submit("bob@good.test");
        assertThat(good.awaitMessages(1, WAIT).stream().filter(m -> m.text().contains("Subject: " + subject)).findFirst())
            .hasValueSatisfying(message -> assertThat(message.tls()).isTrue());
    }

    @Test
    void outboundTlsRcptEntryRefusesAWeakServerAndKeepsTheMail() throws Exception {
        submit("bob@weak.test");
        assertQuitBeforeMailFrom(weak.awaitSessions(1, WAIT).get(0));
        QueueProbe.Queued queued = Outbound.await(WAIT, "bob@weak.test queued for a retry", () -> server.queue(QUEUE).stream()
            .filter(q -> q.recipients.contains("bob@weak.test") && q.retries > 0).findFirst());
        // TLS_Rcpt:weak.test and the bare TLS_Srv: (every server's default) both apply: the reason names the one refusing.
        assertThat(queued.error).isEqualTo("4.7.0 mx.weak.test[127.0.0.1]:" + weak.port()
            + ": 4.7.0 rule domain weak.test: encryption too weak: 128 bits, 256 required");
        assertThat(weak.messages()).isEmpty();
    }

    @Test
    void outboundPermTlsSrvEntryBouncesAtOnce() throws Exception {
        submit("bob@perm.test");
        assertQuitBeforeMailFrom(perm.awaitSessions(1, WAIT).get(0));
        Dsn dsn = Outbound.await(WAIT, "a DSN for bob@perm.test", () -> Outbound.dsns(server).stream()
            .filter(d -> d.raw.contains("bob@perm.test")).findFirst());
        assertThat(dsn.raw).contains("5.7.0 certificate identity mismatch: subject CN mx.perm.test");
    }

    @Test
    void tryTlsNoDeliversWithoutStartTls() throws Exception {
        String subject = submit("bob@notls.test");
        assertThat(notls.awaitMessages(1, WAIT).stream().filter(m -> m.text().contains("Subject: " + subject)).findFirst())
            .hasValueSatisfying(message -> assertThat(message.tls()).isFalse());
    }

    private static QueueProbe.Queued awaitRetry(String recipient) {
        return Outbound.await(WAIT, recipient + " queued for a retry", () -> server.queue(QUEUE).stream()
            .filter(q -> q.recipients.contains(recipient) && q.retries > 0).findFirst());
    }

    @Test
    void tlsRcptAndTlsSrvBothApplyTheRecipientFloor() throws Exception {
        // TLS_Srv:mx.both.test VERIFY is met (trusted, right name); TLS_Rcpt:both.test ENCR:256 is not (128 bits).
        submit("bob@both.test");
        assertQuitBeforeMailFrom(both.awaitSessions(1, WAIT).get(0));
        assertThat(awaitRetry("bob@both.test").error).isEqualTo("4.7.0 mx.both.test[127.0.0.1]:" + both.port()
            + ": 4.7.0 rule domain both.test: encryption too weak: 128 bits, 256 required");
        assertThat(both.messages()).isEmpty();
    }

    @Test
    void tlsRcptAndTlsSrvBothApplyTheServerFloor() throws Exception {
        // TLS_Rcpt:srvfloor.test ENCR:128 is met; TLS_Srv:mx.srvfloor.test VERIFY:256 is not: once the recipient entry
        // replaced the server entry and the mail went out with 128 bits.
        submit("bob@srvfloor.test");
        assertQuitBeforeMailFrom(srvFloor.awaitSessions(1, WAIT).get(0));
        assertThat(awaitRetry("bob@srvfloor.test").error).isEqualTo("4.7.0 mx.srvfloor.test[127.0.0.1]:" + srvFloor.port()
            + ": 4.7.0 rule mx mx.srvfloor.test: encryption too weak: 128 bits, 256 required");
        assertThat(srvFloor.messages()).isEmpty();
    }

    @Test
    void tryTlsNoWithATlsRcptRequirementIsRefusedNotSentInPlaintext() throws Exception {
        submit("bob@rcptnotls.test");
        Session session = rcptNoTls.awaitSessions(1, WAIT).get(0);
        assertThat(session.sawStartTls()).as(session.toString()).isFalse();
        assertThat(session.sawMailFrom()).as(session.toString()).isFalse();
        assertThat(session.transcript()).as(session.toString()).endsWith("QUIT");
        assertThat(awaitRetry("bob@rcptnotls.test").error).isEqualTo("4.7.0 mx.rcptnotls.test[127.0.0.1]:" + rcptNoTls.port()
            + ": 4.7.0 rule domain rcptnotls.test: TLS required, but STARTTLS is never tried with this server"
            + " (mx mx.rcptnotls.test is level none)");
        assertThat(rcptNoTls.messages()).isEmpty();
    }
}
