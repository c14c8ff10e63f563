package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The inbound gate on a real James with conf-samples/inbound-gate, driven by a JDK client: one test per rule,
 * each asserting the exact reply.
 */
class InboundGateIT {
    private static final String HOST = "127.0.0.1";
    private static final String SENDER = "sender@example.net";
    private static final String WEAK_TO_MX = "454 4.7.0 encryption too weak: 112 bits, 128 required";
    private static final String MISMATCH = "554 5.7.0 certificate identity mismatch: subjectAltName DNS name "
        + DemoPki.BAD_CLIENT + " does not match glob:*.partners.demo.test";

    private static DemoServer server;
    private static TlsOptions tls;
    private static int mx;
    private static int submission;
    private static int partners;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.start("InboundGateIT");
        tls = TlsOptions.trusting(server.pki().ca().certificate());
        mx = server.port("smtpserver-mx");
        submission = server.port("smtpserver-submission");
        partners = server.port("smtpserver-partners");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static SmtpClient plain(int port) {
        SmtpClient client = SmtpClient.connect(HOST, port);
        assertThat(client.readReply().code()).isEqualTo(220);
        assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
        return client;
    }

    private static SmtpClient startTls(int port, TlsOptions options) {
        SmtpClient client = plain(port);
        assertThat(client.startTls(options).code()).isEqualTo(220);
        return client;
    }

    private static SmtpClient partner(InetAddress from, io.tlsgate.demo.pki.IssuedCertificate certificate) {
        SmtpClient client = SmtpClient.connectTls(HOST, partners, from, tls.withClientCertificate(certificate));
        assertThat(client.readReply().code()).isEqualTo(220);
        return client;
    }

    private static String line(Reply reply) {
        return reply.toString();
    }

    @Test
    void sessionMeetingTheRuleIsDeliveredToTheMailbox() throws Exception {
        String subject = "accepted " + UUID.randomUUID();
        try (SmtpClient client = startTls(mx, tls)) {
            assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(line(client.sendMail(SENDER, DemoServer.USER, subject))).isEqualTo("250 2.6.0 Message received");
        }
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
    }

    @Test
    void mailBeforeStartTlsIsRefusedWith530() {
        try (SmtpClient client = plain(mx)) {
            assertThat(line(client.command("MAIL FROM:<" + SENDER + ">"))).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RCPT TO:<alice@demo.test>", "DATA", "AUTH PLAIN", "VRFY alice", "EXPN staff"})
    void otherMailCommandsBeforeStartTlsAreRefusedWith530(String command) {
        try (SmtpClient client = plain(mx)) {
            assertThat(line(client.command(command))).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOOP", "RSET", "HELO client.example.net"})
    void harmlessCommandsBeforeStartTlsAreLeftToJames(String command) {
        try (SmtpClient client = plain(mx)) {
            assertThat(client.command(command).code()).isEqualTo(250);
        }
    }

    @Test
    void aClientToldToStartTlsMayDoSoAndCarryOn() {
        try (SmtpClient client = plain(mx)) {
            assertThat(client.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(530);
            assertThat(client.startTls(tls).code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(line(client.command("MAIL FROM:<" + SENDER + ">"))).isEqualTo("250 2.1.0 Sender <" + SENDER + "> OK");
        }
    }

    @Test
    void tripleDesIsTooWeakForTheMxAndTheRefusalIsTemporaryByDefault() {
        // This JVM allows 3DES (failsafe argLine), so the handshake succeeds and the gate has to refuse.
        try (SmtpClient client = startTls(mx, tls.withProtocols("TLSv1.2").withCipherSuites("SSL_RSA_WITH_3DES_EDE_CBC_SHA"))) {
            assertThat(client.tlsDescription()).isEqualTo("TLSv1.2 SSL_RSA_WITH_3DES_EDE_CBC_SHA");
            assertThat(line(client.command("EHLO client.example.net"))).isEqualTo(WEAK_TO_MX);
        }
    }

    @Test
    void anOldProtocolIsRefused() {
        try (SmtpClient client = startTls(mx, tls.withProtocols("TLSv1.1"))) {
            assertThat(client.tlsDescription()).startsWith("TLSv1.1 ");
            assertThat(line(client.command("EHLO client.example.net"))).isEqualTo("454 4.7.0 protocol too old: TLSv1.1, TLSv1.2 required");
        }
    }

    @Test
    void aPermanentRuleRefusesWith554() {
        try (SmtpClient client = startTls(submission, tls.withProtocols("TLSv1.3").withCipherSuites("TLS_AES_128_GCM_SHA256"))) {
            assertThat(line(client.command("EHLO client.example.net"))).isEqualTo("554 5.7.0 encryption too weak: 128 bits, 256 required");
        }
    }

    @Test
    void theDecisionIsTakenAtTheFirstCommandAfterTlsEvenWithoutANewEhlo() {
        // James keeps the pre-TLS EHLO state, so MAIL is accepted without a new EHLO: the gate must judge it.
        try (SmtpClient client = startTls(submission, tls.withProtocols("TLSv1.3").withCipherSuites("TLS_AES_128_GCM_SHA256"))) {
            assertThat(line(client.command("MAIL FROM:<" + SENDER + ">"))).isEqualTo("554 5.7.0 encryption too weak: 128 bits, 256 required");
            assertThat(line(client.command("RCPT TO:<" + DemoServer.USER + ">"))).isEqualTo("554 5.7.0 encryption too weak: 128 bits, 256 required");
        }
    }

    @Test
    void aPassingSessionIsLeftToJamesOwnChecks() {
        try (SmtpClient client = startTls(mx, tls)) {
            client.command("EHLO client.example.net");
            assertThat(client.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
            // James's relay check still runs (the gate answered nothing): no relaying for an unauthenticated client.
            assertThat(line(client.command("RCPT TO:<someone@elsewhere.example>"))).isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
            // And its recipient validation.
            assertThat(line(client.command("RCPT TO:<nobody@demo.test>"))).isEqualTo("550 5.1.1 Unknown user: nobody@demo.test");
        }
    }

    @Test
    void aPartnerWithAnAcceptedCertificateIsDelivered() throws Exception {
        String subject = "partner " + UUID.randomUUID();
        try (SmtpClient client = partner(null, server.pki().goodClient())) {
            assertThat(client.command("EHLO " + DemoPki.GOOD_CLIENT).code()).isEqualTo(250);
            assertThat(line(client.sendMail(SENDER, DemoServer.USER, subject))).isEqualTo("250 2.6.0 Message received");
        }
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
    }

    @Test
    void aCertificateNamingAnotherHostIsRefusedAtTheFirstCommand() {
        try (SmtpClient client = partner(null, server.pki().badClient())) {
            assertThat(line(client.command("EHLO " + DemoPki.BAD_CLIENT))).isEqualTo(MISMATCH);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSET", "NOOP", "VRFY alice", "EXPN staff", "HELP", "EHLO again.example", "HELO again.example",
        "MAIL FROM:<sender@example.net>", "RCPT TO:<alice@demo.test>", "DATA", "AUTH PLAIN", "STARTTLS", "XYZZY"})
    void everyCommandAfterARefusalGetsTheSameRefusal(String command) {
        try (SmtpClient client = partner(null, server.pki().badClient())) {
            assertThat(line(client.command("EHLO " + DemoPki.BAD_CLIENT))).isEqualTo(MISMATCH);
            assertThat(line(client.command(command))).isEqualTo(MISMATCH);
            assertThat(line(client.command("NOOP"))).isEqualTo(MISMATCH);
        }
    }

    @Test
    void quitStillWorksAfterARefusal() {
        try (SmtpClient client = partner(null, server.pki().badClient())) {
            client.command("EHLO " + DemoPki.BAD_CLIENT);
            assertThat(client.command("QUIT").codeAndStatus()).isEqualTo("221 2.0.0");
        }
    }

    @Test
    void aRuleMayCloseTheConnectionAfterItsRefusal() throws Exception {
        try (SmtpClient client = partner(InetAddress.getByName("127.0.0.2"), server.pki().badClient())) {
            assertThat(line(client.command("EHLO " + DemoPki.BAD_CLIENT))).isEqualTo(MISMATCH);
            assertThat(client.command("NOOP").isClosed()).isTrue();
        }
    }

    @Test
    void aPerAddressRuleAppliesOnlyToItsAddress() throws Exception {
        // 127.0.0.2 must use TLS 1.3 on the MX; 127.0.0.1 may use TLS 1.2.
        try (SmtpClient client = SmtpClient.connect(HOST, mx, InetAddress.getByName("127.0.0.2"))) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(tls.withProtocols("TLSv1.2"));
            assertThat(line(client.command("EHLO client.example.net"))).isEqualTo("554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required");
            assertThat(client.command("NOOP").isClosed()).isTrue();
        }
        try (SmtpClient client = startTls(mx, tls.withProtocols("TLSv1.2"))) {
            assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
        }
    }

    @Test
    void commandsPipelinedBehindStartTlsAreNotExecuted() {
        try (SmtpClient client = plain(mx)) {
            client.write("STARTTLS\r\nMAIL FROM:<" + SENDER + ">\r\n");
            // James refuses the injection by closing the connection; nothing it said may accept the MAIL.
            Reply first = client.readReply();
            Reply second = first.isClosed() ? first : client.readReply();
            assertThat(List.of(first.code(), second.code())).doesNotContain(250, 220);
            assertThat(second.isClosed()).isTrue();
        }
    }

    @Test
    void withoutAClientCertificateJamesClientAuthFailsTheHandshake() {
        // James 3.8.1's <clientAuth> means "required at the TLS layer": no SMTP reply is possible. This is the
        // limit the partner listener documents; the gate never sees such a client.
        assertThatThrownBy(() -> {
            try (SmtpClient client = SmtpClient.connectTls(HOST, partners, null, tls.withProtocols("TLSv1.2"))) {
                client.readReply();
            }
        }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("TLS handshake");
    }
}
