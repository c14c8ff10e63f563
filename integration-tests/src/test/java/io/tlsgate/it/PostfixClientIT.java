package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * Postfix as a real sending MTA presenting (or not) a client certificate to a TLS Gate listener that asks for one.
 * Postfix runs from its own configuration directory under /tmp/tgpf* ({@link PostfixPeer}) and relays over TLS
 * (level verify, James's demo CA) to the listener, which requires a certificate verified against the gate's own
 * trust anchor. One Postfix instance, one smtp transport per case, each from its own loopback address:
 * <ul>
 *   <li>{@code trusted} (127.0.0.51) presents a clientAuth certificate from the CA the gate trusts: delivered;</li>
 *   <li>{@code foreign} (127.0.0.52) presents a certificate from a CA the gate does not trust: refused with 554;</li>
 *   <li>{@code nocert} (127.0.0.53) presents none: the handshake completes and the refusal is an SMTP reply.</li>
 * </ul>
 */
class PostfixClientIT {
    private static final String LISTENER = "tlsgate-postfix";
    private static final String TRUSTED = "trusted";
    private static final String FOREIGN = "foreign";
    private static final String NO_CERTIFICATE = "nocert";
    private static final String TRUSTED_ADDRESS = "127.0.0.51";
    private static final String FOREIGN_ADDRESS = "127.0.0.52";
    private static final String NO_CERTIFICATE_ADDRESS = "127.0.0.53";
    private static final String FOREIGN_CA = "CN=Foreign MTA CA,O=Elsewhere";
    private static final Duration OUTCOME = Duration.ofSeconds(90);

    /** Distinguishes this run's certificates (and so its lines in the shared it.log) from every other run's. */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static DemoServer server;
    private static PostfixPeer postfix;
    private static int jamesPort;
    private static IssuedCertificate trustedCertificate;
    private static IssuedCertificate foreignCertificate;

    @BeforeAll
    static void start() throws Exception {
        PostfixPeer.requireInstalled();
        CertificateAuthority gateCa = CertificateAuthority.create("CN=Postfix Peers CA,O=TLS Gate Tests");
        CertificateAuthority foreignCa = CertificateAuthority.create(FOREIGN_CA);
        trustedCertificate = gateCa.leaf("mta-" + RUN + ".peer.test").dnsNames("mta-" + RUN + ".peer.test").issue();
        foreignCertificate = foreignCa.leaf("mta-" + RUN + ".elsewhere.test").dnsNames("mta-" + RUN + ".elsewhere.test").issue();

        Path files = Files.createDirectories(SampleServer.home().resolve("it-work/postfix-pki"));
        gateCa.writeCertificatePem(files.resolve("root.pem"));
        String handler = ""
            + "<verification><trustAnchors>file://" + files.resolve("root.pem") + "</trustAnchors></verification>"
            + "<default><level>verify</level><failure>permanent</failure></default>";
        server = SampleServer.setup("PostfixClientIT")
            .confFile("tlsgate-listeners.xml", TlsGateListener.xml(LISTENER, handler, "file://" + files.resolve("root.pem")))
            .confFile("extensions.properties", TlsGateListener.EXTENSIONS)
            .start();
        jamesPort = server.port(LISTENER);

        // Postfix's socket paths must fit in 108 bytes: a short directory under /tmp, whatever the checkout path.
        postfix = PostfixPeer.builder(Files.createTempDirectory(Path.of("/tmp"), "tgpf"))
            .relayhost("[127.0.0.1]:" + jamesPort)
            .verifyServer(server.pki().caCertificate(), "localhost")
            .client(TRUSTED, TRUSTED_ADDRESS, trustedCertificate)
            .client(FOREIGN, FOREIGN_ADDRESS, foreignCertificate)
            .client(NO_CERTIFICATE, NO_CERTIFICATE_ADDRESS, null)
            .start();
    }

    @AfterAll
    static void stop() {
        try {
            if (postfix != null) {
                postfix.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aCertificateFromTheTrustedCaIsAcceptedAndTheMailDelivered() throws Exception {
        long logStart = jamesLogSize();
        String subject = "postfix trusted " + UUID.randomUUID();
        String queueId = postfix.submit(TRUSTED, DemoServer.USER, subject);

        String status = postfix.awaitDeliveryStatus(queueId, OUTCOME);
        assertThat(status).as(postfix.mailLog())
            .contains(" " + queueId + ": to=<" + DemoServer.USER + ">, relay=127.0.0.1[127.0.0.1]:" + jamesPort + ",")
            .contains(" status=sent (250 2.6.0 Message received)");
        assertThat(tlsEstablished(TRUSTED)).as(postfix.mailLog()).isPresent();

        String message = server.awaitMessage(DemoServer.USER, subject);
        assertThat(message).contains("Subject: " + subject + "\r\n");
        String received = receivedHeader(message);
        assertThat(received).contains("with ESMTPS").contains("verify=OK");

        String decision = awaitGateDecision(logStart, TRUSTED_ADDRESS);
        assertThat(decision)
            .contains(" verify=OK ")
            .contains(" subject=\"CN=mta-" + RUN + ".peer.test,O=TLS Gate Demo\"")
            .contains(" issuer=\"CN=Postfix Peers CA,O=TLS Gate Tests\"")
            .endsWith(" verdict=accept");
        assertThat(postfix.awaitLogLine(l -> l.contains(" " + queueId + ": removed"), OUTCOME)).as(postfix.mailLog()).isPresent();
        assertThat(postfix.isQueued(queueId)).isFalse();
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefusedWith554AndPostfixBouncesTheMail() throws Exception {
        long logStart = jamesLogSize();
        String subject = "postfix foreign " + UUID.randomUUID();
        String queueId = postfix.submit(FOREIGN, DemoServer.USER, subject);
        String reply = "554 5.7.0 certificate not trusted: untrusted root " + FOREIGN_CA;

        String status = postfix.awaitDeliveryStatus(queueId, OUTCOME);
        assertThat(status).as(postfix.mailLog())
            .contains(" " + queueId + ": to=<" + DemoServer.USER + ">, relay=127.0.0.1[127.0.0.1]:" + jamesPort + ",")
            .contains(reply)
            .containsPattern(" dsn=5\\.7\\.0, status=bounced ");
        assertThat(tlsEstablished(FOREIGN)).as("the TLS handshake completed before the refusal\n" + postfix.mailLog()).isPresent();
        // A bounce notice goes back to the sender (and is discarded there); the message itself leaves the queue.
        // Postfix logs the notice just after the status line: wait for it rather than read a snapshot.
        assertThat(postfix.awaitLogLine(l -> l.contains(" " + queueId + ": sender non-delivery notification: "), OUTCOME))
            .as(postfix.mailLog()).isPresent();
        assertThat(postfix.awaitLogLine(l -> l.contains(" " + queueId + ": removed"), OUTCOME)).as(postfix.mailLog()).isPresent();

        String decision = awaitGateDecision(logStart, FOREIGN_ADDRESS);
        assertThat(decision)
            .contains(" subject=\"CN=mta-" + RUN + ".elsewhere.test,O=TLS Gate Demo\"")
            .contains(" verdict=refuse ")
            .contains(" reply=\"" + reply + "\"");
        assertNotDelivered(subject);
    }

    @Test
    void noCertificateGetsAnSmtpReplyAfterACompletedHandshakeAndPostfixBouncesTheMail() throws Exception {
        long logStart = jamesLogSize();
        String subject = "postfix no certificate " + UUID.randomUUID();
        String queueId = postfix.submit(NO_CERTIFICATE, DemoServer.USER, subject);
        String reply = "554 5.7.0 certificate required, none presented";

        String status = postfix.awaitDeliveryStatus(queueId, OUTCOME);
        assertThat(status).as(postfix.mailLog())
            .contains(" " + queueId + ": to=<" + DemoServer.USER + ">, relay=127.0.0.1[127.0.0.1]:" + jamesPort + ",")
            .contains(reply)
            .containsPattern(" dsn=5\\.7\\.0, status=bounced ");
        // Unlike James's stock clientAuth (a TLS alert, no reply), the handshake completes and a reply is given.
        assertThat(tlsEstablished(NO_CERTIFICATE)).as(postfix.mailLog()).isPresent();
        assertThat(postfix.mailLog()).doesNotContain("SSL_connect error");

        String decision = awaitGateDecision(logStart, NO_CERTIFICATE_ADDRESS);
        assertThat(decision)
            .doesNotContain(" subject=")
            .contains(" verdict=refuse ")
            .contains(" reply=\"" + reply + "\"");
        assertNotDelivered(subject);
    }

    /** Postfix's record (smtp_tls_loglevel 1) that the transport's TLS handshake with James completed and verified. */
    private static Optional<String> tlsEstablished(String transport) throws InterruptedException {
        String prefix = "postfix/" + transport + "/smtp[";
        String established = "Verified TLS connection established to 127.0.0.1[127.0.0.1]:" + jamesPort + ": TLSv1.";
        return postfix.awaitLogLine(l -> l.contains(prefix) && l.contains(established), Duration.ofSeconds(10));
    }

    private static void assertNotDelivered(String subject) {
        // The refusal came before MAIL FROM: there was never anything to deliver, so a look now is conclusive.
        assertThat(server.inbox(DemoServer.USER)).noneMatch(m -> m.contains(subject));
    }

    /** The first Received header (folded lines joined), the one James added. */
    private static String receivedHeader(String message) {
        String headers = message.substring(0, Math.max(0, message.indexOf("\r\n\r\n")));
        StringBuilder received = new StringBuilder();
        for (String line : headers.split("\r\n")) {
            if (received.length() > 0 && (line.startsWith(" ") || line.startsWith("\t"))) {
                received.append(' ').append(line.trim());
            } else if (received.length() > 0) {
                break;
            } else if (line.startsWith("Received: ")) {
                received.append(line);
            }
        }
        return received.toString();
    }

    private static Path jamesLog() {
        return SampleServer.home().resolve("it-logs/it.log");
    }

    private static long jamesLogSize() throws IOException {
        return Files.exists(jamesLog()) ? Files.size(jamesLog()) : 0;
    }

    /** The gate's decision line ("tlsgate inbound ...") for a session from {@code peer}, logged after {@code offset}. */
    private static String awaitGateDecision(long offset, String peer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> lines;
        do {
            lines = jamesLogSince(offset).lines()
                .filter(l -> l.contains("tlsgate inbound ") && l.contains(" peer=" + peer + " "))
                .collect(Collectors.toList());
            if (!lines.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(lines).as("one gate decision for the session from " + peer).hasSize(1);
        return lines.get(0).substring(lines.get(0).indexOf("tlsgate inbound "));
    }

    private static String jamesLogSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(jamesLog());
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }
}
