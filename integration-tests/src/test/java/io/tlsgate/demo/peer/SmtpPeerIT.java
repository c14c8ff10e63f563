package io.tlsgate.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The test SMTP peer against JDK clients (the demo's {@link SmtpClient}, javax.mail's SMTPTransport as James uses
 * it) and swaks: what it answers, and what it records for tests to assert on.
 */
class SmtpPeerIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static CertificateAuthority ca;
    private static IssuedCertificate serverCertificate;
    private static CertificateAuthority clientCa;
    private static IssuedCertificate clientCertificate;
    private static IssuedCertificate strangerCertificate;

    private final List<SmtpPeer> peers = new ArrayList<>();

    @BeforeAll
    static void pki() {
        ca = CertificateAuthority.create("CN=Peer Test CA,O=TLS Gate Tests");
        serverCertificate = ca.issueServer("peer.test", List.of("localhost", "peer.test"), List.of("127.0.0.1"));
        clientCa = CertificateAuthority.create("CN=Client CA,O=TLS Gate Tests");
        clientCertificate = clientCa.issueClient("client.test", List.of("client.test"));
        strangerCertificate = CertificateAuthority.create("CN=Stranger CA,O=Elsewhere").issueClient("stranger.test", List.of("stranger.test"));
    }

    private SmtpPeer start(SmtpPeer.Builder builder) {
        SmtpPeer peer = builder.start();
        peers.add(peer);
        return peer;
    }

    private static SmtpPeer.Builder tlsPeer() {
        return SmtpPeer.builder().certificate(serverCertificate);
    }

    @AfterEach
    void closePeersAndCheckNoThreadIsLeft() {
        for (SmtpPeer peer : peers) {
            peer.close();
            assertThat(peer.errors()).as("errors inside the peer").isEmpty();
        }
        assertThat(Thread.getAllStackTraces().keySet())
            .filteredOn(thread -> thread.getName().startsWith("smtp-peer-") && thread.isAlive())
            .as("peer threads still running after close()")
            .isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- plain delivery

    @Test
    void deliversInPlaintextWithDotUnstuffingAndRecordsTheConversation() {
        SmtpPeer peer = start(tlsPeer());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            assertThat(client.readReply().lines()).containsExactly("220 peer.test ESMTP");
            assertThat(client.command("EHLO client.test").lines()).containsExactly(
                "250-peer.test greets client.test", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SIZE 52428800",
                "250-DSN", "250-AUTH PLAIN LOGIN", "250 STARTTLS");
            assertThat(client.command("MAIL FROM:<a@b.test> BODY=8BITMIME").codeAndStatus()).isEqualTo("250 2.1.0");
            assertThat(client.command("RCPT TO:<c@d.test> NOTIFY=NEVER").codeAndStatus()).isEqualTo("250 2.1.5");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            assertThat(client.command("Subject: plain\r\n\r\n..a line that began with a dot\r\nbody\r\n.").codeAndStatus())
                .isEqualTo("250 2.0.0");
            assertThat(client.command("QUIT").code()).isEqualTo(221);
        }

        Received message = peer.awaitMessages(1, WAIT).get(0);
        assertThat(message.sender()).isEqualTo("a@b.test");
        assertThat(message.mailParameters()).containsExactly("BODY=8BITMIME");
        assertThat(message.recipients()).containsExactly("c@d.test");
        assertThat(message.text()).isEqualTo("Subject: plain\r\n\r\n.a line that began with a dot\r\nbody\r\n");
        assertThat(message.tls()).isFalse();

        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).containsExactly("EHLO client.test", "MAIL FROM:<a@b.test> BODY=8BITMIME",
            "RCPT TO:<c@d.test> NOTIFY=NEVER", "DATA", "QUIT");
        assertThat(session.handshake()).isEmpty();
        assertThat(session.sawQuit()).isTrue();
        assertThat(session.sawMailFrom()).isTrue();
        assertThat(session.receivedDataBytes()).isEqualTo("Subject: plain\r\n\r\n..a line that began with a dot\r\nbody\r\n".length());
        assertThat(session.ending()).isEqualTo(Session.Ending.QUIT);
        assertThat(session.closedByClient()).isFalse();
    }

    @Test
    void answersProtocolErrorsLikeAnMta() {
        SmtpPeer peer = start(tlsPeer());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            assertThat(client.command("MAIL FROM:<a@b.test>").codeAndStatus()).isEqualTo("503 5.5.1");
            assertThat(client.command("HELO client.test").lines()).containsExactly("250 peer.test");
            assertThat(client.command("RCPT TO:<c@d.test>").codeAndStatus()).isEqualTo("503 5.5.1");
            assertThat(client.command("MAIL FROM:a@b.test").codeAndStatus()).isEqualTo("501 5.5.4");
            assertThat(client.command("MAIL FROM:<a@b.test> SMTPUTF8").codeAndStatus()).isEqualTo("555 5.5.4");
            assertThat(client.command("MAIL FROM:<a@b.test> SIZE=999999999999").codeAndStatus()).isEqualTo("552 5.3.4");
            assertThat(client.command("MAIL FROM:<>").codeAndStatus()).isEqualTo("250 2.1.0");
            assertThat(client.command("DATA").codeAndStatus()).isEqualTo("554 5.5.1");
            assertThat(client.command("RCPT TO:<>").codeAndStatus()).isEqualTo("501 5.5.4");
            assertThat(client.command("RSET").codeAndStatus()).isEqualTo("250 2.0.0");
            assertThat(client.command("NOOP").codeAndStatus()).isEqualTo("250 2.0.0");
            assertThat(client.command("BDAT 10 LAST").codeAndStatus()).isEqualTo("500 5.5.2");
            assertThat(client.command("X".repeat(5000)).codeAndStatus()).isEqualTo("500 5.5.2");
            assertThat(client.command("QUIT").code()).isEqualTo(221);
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).hasSize(14).contains("MAIL FROM:<>", "BDAT 10 LAST");
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void acceptsAnyCredentialsAndRecordsTheUserWithoutTheSecret() {
        SmtpPeer peer = start(tlsPeer());
        String plain = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.command("AUTH PLAIN " + plain).codeAndStatus()).isEqualTo("235 2.7.0");
            assertThat(client.command("AUTH PLAIN " + plain).codeAndStatus()).isEqualTo("503 5.5.1");
            client.command("QUIT");
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.authenticatedUser()).contains("alice");
        assertThat(session.sawAuth()).isTrue();
        assertThat(session.transcript()).containsExactly("EHLO client.test", "AUTH PLAIN ***", "AUTH PLAIN ***", "QUIT");
    }

    // ------------------------------------------------------------------------------------------------- STARTTLS

    @ParameterizedTest
    @CsvSource({"TLSv1.3, TLS_AES_128_GCM_SHA256", "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})
    void deliversOverStartTlsToJavaMailAndRecordsProtocolCipherAndSni(String protocol, String suite) throws Exception {
        SmtpPeer peer = start(tlsPeer().enabledProtocols(protocol).enabledCipherSuites(suite));

        sendWithJavaMail(peer.port(), protocol, "mx.peer.test", "a@b.test", "c@d.test", "over " + protocol);

        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).containsExactly("EHLO client.test", "STARTTLS", "[tls] EHLO client.test",
            "[tls] MAIL FROM:<a@b.test>", "[tls] RCPT TO:<c@d.test>", "[tls] DATA", "[tls] QUIT");
        Handshake handshake = session.handshake().orElseThrow();
        assertThat(handshake.succeeded()).isTrue();
        assertThat(handshake.protocol()).isEqualTo(protocol);
        assertThat(handshake.cipherSuite()).isEqualTo(suite);
        assertThat(handshake.sniHostNames()).containsExactly("mx.peer.test");
        assertThat(handshake.clientCertificates()).isEmpty();
        assertThat(session.tls()).isTrue();
        assertThat(session.ending()).isEqualTo(Session.Ending.QUIT);

        Received message = peer.awaitMessages(1, WAIT).get(0);
        assertThat(message.tls()).isTrue();
        assertThat(message.sender()).isEqualTo("a@b.test");
        assertThat(message.recipients()).containsExactly("c@d.test");
        assertThat(message.text()).contains("Subject: over " + protocol);
    }

    @Test
    void aClientConnectingToAnAddressSendsNoSniAndTheEhloAfterTlsNoLongerOffersStartTls() {
        SmtpPeer peer = start(tlsPeer());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.startTls(TlsOptions.trusting(ca.certificate())).code()).isEqualTo(220);
            assertThat(client.command("MAIL FROM:<a@b.test>").codeAndStatus()).as("EHLO again after STARTTLS").isEqualTo("503 5.5.1");
            assertThat(client.command("EHLO client.test").lines()).doesNotContain("250 STARTTLS", "250-STARTTLS");
            assertThat(client.sendMail("a@b.test", "c@d.test", "to an address").code()).isEqualTo(250);
            client.command("QUIT");
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        Handshake handshake = session.handshake().orElseThrow();
        assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
        assertThat(handshake.sniHostNames()).isEmpty();
        assertThat(session.transcript()).startsWith("EHLO client.test", "STARTTLS", "[tls] MAIL FROM:<a@b.test>", "[tls] EHLO client.test");
    }

    /** Needs the relaxed java.security of this module's failsafe argLine (weak-ciphers-allowed.security). */
    @ParameterizedTest
    @CsvSource({"TLSv1.1, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLSv1.2, SSL_RSA_WITH_3DES_EDE_CBC_SHA"})
    void canOfferOnlyAnOldProtocolOrAWeakSuite(String protocol, String suite) {
        SmtpPeer peer = start(tlsPeer().enabledProtocols(protocol).enabledCipherSuites(suite));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            client.startTls(TlsOptions.trusting(ca.certificate()));
            assertThat(client.tlsDescription()).isEqualTo(protocol + " " + suite);
            client.command("QUIT");
        }
        Handshake handshake = peer.awaitSessions(1, WAIT).get(0).handshake().orElseThrow();
        assertThat(handshake.protocol()).isEqualTo(protocol);
        assertThat(handshake.cipherSuite()).isEqualTo(suite);
    }

    @Test
    void aJdkClientSendsNoSniForLocalhostOnItsOwn() throws Exception {
        SmtpPeer peer = start(tlsPeer());
        sendWithJavaMail(peer.port(), "TLSv1.3", null, "a@b.test", "c@d.test", "to localhost");
        Handshake handshake = peer.awaitSessions(1, WAIT).get(0).handshake().orElseThrow();
        assertThat(handshake.succeeded()).isTrue();
        assertThat(handshake.sniHostNames()).isEmpty();
    }

    @Test
    void withoutStartTlsAdvertisedARequiringClientSendsNoMail() {
        SmtpPeer peer = start(SmtpPeer.builder().advertiseStartTls(false));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            assertThat(client.command("EHLO client.test").lines()).doesNotContain("250 STARTTLS", "250-STARTTLS")
                .endsWith("250 AUTH PLAIN LOGIN");
            assertThat(client.command("STARTTLS").codeAndStatus()).isEqualTo("502 5.5.1");
            client.command("QUIT");
        }
        assertThatThrownBy(() -> sendWithJavaMail(peer.port(), "TLSv1.3", null, "a@b.test", "c@d.test", "never"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("STARTTLS");

        List<Session> sessions = peer.awaitSessions(2, WAIT);
        assertThat(sessions.get(0).handshake()).isEmpty();
        assertThat(sessions.get(1).transcript()).first().isEqualTo("EHLO client.test");
        assertThat(sessions.get(1).sawMailFrom()).isFalse();
        assertThat(sessions.get(1).receivedDataBytes()).isZero();
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void dropsTheConnectionAfterAnswering220ToStartTls() {
        SmtpPeer peer = start(tlsPeer().dropAfterStartTls());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThatThrownBy(() -> client.startTls(TlsOptions.trusting(ca.certificate())))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("TLS handshake");
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).containsExactly("EHLO client.test", "STARTTLS");
        assertThat(session.handshake()).isEmpty();
        assertThat(session.ending()).isEqualTo(Session.Ending.PEER_CLOSED);
        assertThat(session.sawMailFrom()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void failsTheHandshakeAfterReadingTheClientHello(String protocol) {
        SmtpPeer peer = start(SmtpPeer.builder().failHandshake());
        assertThatThrownBy(() -> sendWithJavaMail(peer.port(), protocol, "mx.peer.test", "a@b.test", "c@d.test", "never"))
            .isInstanceOf(MessagingException.class);

        Session session = peer.awaitSessions(1, WAIT).get(0);
        Handshake handshake = session.handshake().orElseThrow();
        assertThat(handshake.succeeded()).isFalse();
        assertThat(handshake.failure()).hasValueSatisfying(failure -> assertThat(failure).contains("SSLHandshakeException"));
        assertThat(handshake.sniHostNames()).containsExactly("mx.peer.test");
        assertThat(session.ending()).isEqualTo(Session.Ending.HANDSHAKE_FAILED);
        assertThat(session.transcript()).containsExactly("EHLO client.test", "STARTTLS");
    }

    @Test
    void canCloseInTheMiddleOfTheHandshake() {
        SmtpPeer peer = start(SmtpPeer.builder().closeDuringHandshake());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThatThrownBy(() -> client.startTls(TlsOptions.trusting(ca.certificate()))).isInstanceOf(UncheckedIOException.class);
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.handshake().orElseThrow().failure()).hasValueSatisfying(f -> assertThat(f).contains("closeDuringHandshake"));
        assertThat(session.ending()).isEqualTo(Session.Ending.PEER_CLOSED);
    }

    @Test
    void discardsPlaintextPipelinedAfterStartTls() {
        SmtpPeer peer = start(tlsPeer());
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            client.write("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
            assertThat(client.readReply().code()).isEqualTo(220);
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        // Whether the injected line arrived with STARTTLS (discarded) or after it (read as a bad TLS record), it is
        // never taken as a command.
        assertThat(session.transcript()).containsExactly("EHLO client.test", "STARTTLS");
        assertThat(session.sawMailFrom()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------- reply knobs

    @Test
    void aTemporaryFailureAtRcptKeepsEveryByteOfTheMessageAway() {
        SmtpPeer peer = start(tlsPeer().reply("RCPT", "450 4.2.0 mailbox busy"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            Reply refused = client.sendMail("a@b.test", "c@d.test", "busy");
            assertThat(refused.codeAndStatus()).isEqualTo("450 4.2.0");
            assertThat(refused.text()).isEqualTo("4.2.0 mailbox busy");
            assertThat(client.command("DATA").codeAndStatus()).isEqualTo("554 5.5.1");
            client.command("QUIT");
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.receivedDataBytes()).isZero();
        assertThat(session.transcript()).containsExactly("EHLO client.test", "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>", "DATA", "QUIT");
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void aPermanentFailureAtTheEndOfDataRejectsTheMessageItRead() {
        SmtpPeer peer = start(tlsPeer().reply("DATA-END", "554 5.6.0 rejected"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.sendMail("a@b.test", "c@d.test", "rejected").codeAndStatus()).isEqualTo("554 5.6.0");
            client.command("QUIT");
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.receivedDataBytes()).isPositive();
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void refusesOneRecipientAndAcceptsTheOthers() {
        SmtpPeer peer = start(tlsPeer().replyToRecipient("Gone@D.test", "550 5.1.1 no such user"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            client.command("MAIL FROM:<a@b.test>");
            assertThat(client.command("RCPT TO:<gone@d.test>").codeAndStatus()).isEqualTo("550 5.1.1");
            assertThat(client.command("RCPT TO:<here@d.test>").codeAndStatus()).isEqualTo("250 2.1.5");
            client.command("DATA");
            assertThat(client.command("Subject: partial\r\n\r\nx\r\n.").code()).isEqualTo(250);
            client.command("QUIT");
        }
        assertThat(peer.awaitMessages(1, WAIT).get(0).recipients()).containsExactly("here@d.test");
    }

    @Test
    void aReplyForTheFirstSessionsOnlyThenTheUsualOne() {
        SmtpPeer peer = start(tlsPeer().replyInFirstSessions(2, "RCPT", "450 4.2.0 mailbox busy").reply("MAIL", "250 2.1.0 fine"));
        List<String> replies = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
                client.readReply();
                client.command("EHLO client.test");
                replies.add(client.sendMail("a@b.test", "c@d.test", "try " + i).codeAndStatus());
                client.command("QUIT");
            }
        }
        assertThat(replies).containsExactly("450 4.2.0", "450 4.2.0", "250 2.0.0");
        assertThat(peer.awaitMessages(1, WAIT)).singleElement().satisfies(m -> assertThat(m.sessionId()).isEqualTo(3));
        List<Session> sessions = peer.awaitSessions(3, WAIT);
        assertThat(sessions.get(0).acceptedAt()).isBeforeOrEqualTo(sessions.get(1).acceptedAt());
        assertThat(sessions.get(1).acceptedAt()).isBeforeOrEqualTo(sessions.get(2).acceptedAt());
    }

    @Test
    void repliesCanChangeWhileThePeerRuns() {
        SmtpPeer peer = start(tlsPeer().reply("MAIL", "421 4.3.2 try later"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.sendMail("a@b.test", "c@d.test", "first try").codeAndStatus()).isEqualTo("421 4.3.2");
        }
        peer.clearReply("MAIL").reply("DATA", "451 4.3.0 not now");
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.sendMail("a@b.test", "c@d.test", "second try").codeAndStatus()).isEqualTo("451 4.3.0");
        }
        peer.clearReply("DATA");
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            assertThat(client.sendMail("a@b.test", "c@d.test", "third try").code()).isEqualTo(250);
        }
        assertThat(peer.awaitMessages(1, WAIT)).hasSize(1);
        List<Session> sessions = peer.awaitSessions(3, WAIT);
        assertThat(sessions).extracting(Session::ending).containsOnly(Session.Ending.CLIENT_CLOSED);
        assertThat(sessions).allMatch(Session::closedByClient);
        assertThat(sessions.get(1).receivedDataBytes()).isZero();
    }

    @Test
    void greetingsOtherThan220() {
        SmtpPeer refusing = start(tlsPeer().greeting("554 5.3.2 no service for you"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", refusing.port())) {
            assertThat(client.readReply().codeAndStatus()).isEqualTo("554 5.3.2");
            assertThat(client.command("EHLO client.test").codeAndStatus()).isEqualTo("503 5.5.1");
            assertThat(client.command("MAIL FROM:<a@b.test>").codeAndStatus()).isEqualTo("503 5.5.1");
            assertThat(client.command("QUIT").code()).isEqualTo(221);
        }
        assertThat(refusing.awaitSessions(1, WAIT).get(0).sawQuit()).isTrue();

        SmtpPeer closing = start(tlsPeer().greeting("421 4.3.2 shutting down").ehloName("other.test"));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", closing.port())) {
            assertThat(client.readReply().codeAndStatus()).isEqualTo("421 4.3.2");
            assertThat(client.readReply().isClosed()).isTrue();
        }
        assertThat(closing.awaitSessions(1, WAIT).get(0).ending()).isEqualTo(Session.Ending.PEER_CLOSED);
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> SmtpPeer.builder().start()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no certificate");
        assertThatThrownBy(() -> SmtpPeer.builder().reply("RCPT", "hello")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmtpPeer.builder().reply("RCPT TO", "250 ok")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tlsPeer().enabledCipherSuites("TLS_NO_SUCH_SUITE").start())
            .isInstanceOf(IllegalArgumentException.class);
    }

    // --------------------------------------------------------------------------------------- client certificates

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aRequiredClientCertificateThatIsMissingFailsTheHandshake(String protocol) {
        SmtpPeer peer = start(tlsPeer().requireClientCertificate(List.of(clientCa.certificate())));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            Reply afterwards;
            try {
                client.startTls(TlsOptions.trusting(ca.certificate()).withProtocols(protocol));
                // TLS 1.3: the client's side of the handshake completes before the server reads its certificate.
                afterwards = client.command("EHLO client.test");
            } catch (UncheckedIOException e) {
                afterwards = null;
            }
            assertThat(afterwards == null || afterwards.isClosed()).as("no reply over TLS: %s", afterwards).isTrue();
        }
        Session session = peer.awaitSessions(1, WAIT).get(0);
        Handshake handshake = session.handshake().orElseThrow();
        assertThat(handshake.failure()).hasValueSatisfying(f -> assertThat(f).contains("Empty client certificate chain"));
        assertThat(handshake.clientCertificates()).isEmpty();
        assertThat(session.ending()).isEqualTo(Session.Ending.HANDSHAKE_FAILED);
        assertThat(session.transcript()).containsExactly("EHLO client.test", "STARTTLS");
    }

    @Test
    void aRequiredClientCertificateFromATrustedCaIsRecorded() {
        SmtpPeer peer = start(tlsPeer().requireClientCertificate(List.of(clientCa.certificate())));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            client.startTls(TlsOptions.trusting(ca.certificate()).withClientCertificate(clientCertificate));
            client.command("EHLO client.test");
            assertThat(client.sendMail("a@b.test", "c@d.test", "with a certificate").code()).isEqualTo(250);
            client.command("QUIT");
        }
        Handshake handshake = peer.awaitSessions(1, WAIT).get(0).handshake().orElseThrow();
        assertThat(handshake.succeeded()).isTrue();
        assertThat(handshake.clientCertificates()).first().isEqualTo(clientCertificate.certificate());
    }

    @Test
    void aRequiredClientCertificateFromAnotherCaIsRefusedAndRecorded() {
        SmtpPeer peer = start(tlsPeer().requireClientCertificate(List.of(clientCa.certificate())));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            client.command("EHLO client.test");
            try {
                client.startTls(TlsOptions.trusting(ca.certificate()).withClientCertificate(strangerCertificate));
                client.command("EHLO client.test");
            } catch (UncheckedIOException e) {
                // refused: expected
            }
        }
        Handshake handshake = peer.awaitSessions(1, WAIT).get(0).handshake().orElseThrow();
        assertThat(handshake.succeeded()).isFalse();
        assertThat(handshake.clientCertificates()).first().isEqualTo(strangerCertificate.certificate());
    }

    @Test
    void aWantedClientCertificateIsRecordedWhateverItIs() {
        SmtpPeer peer = start(tlsPeer().wantClientCertificate(List.of(clientCa.certificate())));
        for (IssuedCertificate presented : new IssuedCertificate[] {null, strangerCertificate}) {
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
                client.readReply();
                client.command("EHLO client.test");
                TlsOptions tls = TlsOptions.trusting(ca.certificate());
                client.startTls(presented == null ? tls : tls.withClientCertificate(presented));
                assertThat(client.command("EHLO client.test").code()).isEqualTo(250);
                client.command("QUIT");
            }
        }
        List<Session> sessions = peer.awaitSessions(2, WAIT);
        assertThat(sessions.get(0).handshake().orElseThrow().clientCertificates()).isEmpty();
        assertThat(sessions.get(1).handshake().orElseThrow().clientCertificates()).first().isEqualTo(strangerCertificate.certificate());
    }

    // --------------------------------------------------------------------------------------------------- swaks

    @Test
    void swaksDeliversOverStartTls() throws Exception {
        SmtpPeer peer = start(tlsPeer());
        String output = swaks("--server", "127.0.0.1:" + peer.port(), "--tls", "--from", "a@b", "--to", "c@d",
            "--auth", "LOGIN", "--auth-user", "bob", "--auth-password", "secret");

        Session session = peer.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).as(output).contains("STARTTLS", "[tls] MAIL FROM:<a@b>", "[tls] QUIT");
        assertThat(session.handshake().orElseThrow().succeeded()).isTrue();
        assertThat(session.authenticatedUser()).contains("bob");
        Received message = peer.awaitMessages(1, WAIT).get(0);
        assertThat(peer.messages()).hasSize(1);
        assertThat(message.sender()).isEqualTo("a@b");
        assertThat(message.recipients()).containsExactly("c@d");
        assertThat(message.tls()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- robustness

    @Test
    void clientsThatHangUpAnywhereLeaveNoThreadBehind() throws Exception {
        SmtpPeer peer = start(tlsPeer());
        new Socket("127.0.0.1", peer.port()).close(); // gone before the greeting is read
        hangUpAfter(peer, List.of("EHLO client.test"), "MAIL FROM:<a@b.te");
        hangUpAfter(peer, List.of("EHLO client.test", "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>", "DATA"),
            "Subject: cut\r\n\r\nhalf a li");
        hangUpAfter(peer, List.of("EHLO client.test", "AUTH LOGIN"), "");
        hangUpAfter(peer, List.of("EHLO client.test", "STARTTLS"), "");
        hangUpAfter(peer, List.of("EHLO client.test", "STARTTLS"), "\u0016\u0003\u0001\u0002\u0000\u0001\u0000");

        List<Session> sessions = peer.awaitSessions(6, WAIT);
        assertThat(sessions.subList(0, 4)).allMatch(Session::closedByClient);
        assertThat(sessions.get(1).transcript()).containsExactly("EHLO client.test");
        assertThat(sessions.get(2).receivedDataBytes()).isEqualTo("Subject: cut\r\n\r\nhalf a li".length());
        assertThat(sessions.get(3).transcript()).containsExactly("EHLO client.test", "AUTH LOGIN");
        assertThat(sessions.subList(4, 6)).extracting(Session::ending).containsOnly(Session.Ending.HANDSHAKE_FAILED);
        assertThat(sessions.subList(4, 6)).allMatch(session -> session.handshake().orElseThrow().failure().isPresent());
        assertThat(peer.messages()).isEmpty();
    }

    /** Sends commands, reading each reply, then the last bytes raw, and hangs up without QUIT. */
    private static void hangUpAfter(SmtpPeer peer, List<String> commands, String last) {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            commands.forEach(client::command);
            client.write(last);
        }
    }

    @Test
    void closeCutsOpenConnectionsAndJoinsTheirThreads() throws Exception {
        SmtpPeer peer = start(tlsPeer());
        try (Socket idle = new Socket("127.0.0.1", peer.port());
             Socket handshaking = new Socket("127.0.0.1", peer.port())) {
            handshaking.getOutputStream().write("EHLO client.test\r\nSTARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            handshaking.getOutputStream().flush();
            waitUntil(() -> peer.sessions().size() == 2 && peer.sessions().get(1).sawStartTls());
            peer.close();
            assertThat(peer.sessions()).allMatch(Session::ended)
                .extracting(Session::ending).containsOnly(Session.Ending.PEER_SHUTDOWN);
            assertThat(idle.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("220 peer.test ESMTP\r\n");
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", peer.port()).close()).isInstanceOf(IOException.class);
    }

    @Test
    void aSilentClientTimesOut() {
        SmtpPeer peer = start(tlsPeer().readTimeout(Duration.ofMillis(300)));
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", peer.port())) {
            client.readReply();
            Session session = peer.awaitSessions(1, WAIT).get(0);
            assertThat(session.ending()).isEqualTo(Session.Ending.TIMEOUT);
            assertThat(client.readReply().isClosed()).isTrue();
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /**
     * What RemoteDelivery does: javax.mail to "localhost", STARTTLS required, the server name checked; SNI set to
     * {@code sni} when not null (the JDK sends none for "localhost" on its own: no dot in it).
     */
    private static void sendWithJavaMail(int port, String protocol, String sni, String from, String to, String subject)
        throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "localhost");
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.localhost", "client.test");
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.ssl.socketFactory", sni == null ? trusting(ca.certificate()) : withSni(trusting(ca.certificate()), sni));
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.ssl.protocols", protocol);
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        javax.mail.Session mail = javax.mail.Session.getInstance(properties);
        MimeMessage message = new MimeMessage(mail);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(javax.mail.Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Sent through the test peer.\n");
        try (Transport transport = mail.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    /** Sets SNI explicitly on the sockets layered for STARTTLS, as a client must for a name without a dot. */
    private static SSLSocketFactory withSni(SSLSocketFactory factory, String name) {
        return new SSLSocketFactory() {
            @Override
            public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
                SSLSocket ssl = (SSLSocket) factory.createSocket(socket, host, port, autoClose);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(name)));
                ssl.setSSLParameters(parameters);
                return ssl;
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return factory.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return factory.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return factory.createSocket(host, port);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return factory.createSocket(host, port, localHost, localPort);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return factory.createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
                return factory.createSocket(address, port, localAddress, localPort);
            }
        };
    }

    private static SSLSocketFactory trusting(X509Certificate anchor) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("anchor", anchor);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String swaks(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("swaks", "--timeout", "30"));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile("swaks", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("swaks did not finish within 60 s");
            }
            String output = Files.readString(log);
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", WAIT).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
