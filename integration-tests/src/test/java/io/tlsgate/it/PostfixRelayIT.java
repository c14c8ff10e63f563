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
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The relay mailet in a real James delivering to a real Postfix as the receiving MTA. Alice submits over SMTP; James
 * finds the MX through MX records that carry the port of one of Postfix's receiving smtpd services ({@link
 * PostfixPeer}: one instance, one smtpd per case, each with its own host name, server certificate, port and syslog
 * name), and relays under a policy of level {@code verify} whose only trust anchor is the demo CA:
 * <ul>
 *   <li>{@code good}: a certificate from the demo CA naming the MX: the message reaches Postfix's Maildir over TLS;</li>
 *   <li>{@code untrusted}: a certificate from a CA James does not trust, temporary rule: QUIT after STARTTLS, the
 *   mail stays queued in James with one retry and the reason;</li>
 *   <li>{@code perm}: the same under a destination rule with {@code <failure>permanent</failure>}: QUIT after
 *   STARTTLS, and the DSN with status 5.7.0, the host and the reason reaches alice's INBOX at once.</li>
 * </ul>
 * What Postfix saw is read from its mail log (the TLS handshake, the commands counted on the disconnect line), its
 * Maildirs and its queue.
 */
class PostfixRelayIT {
    private static final String QUEUE = "outgoing-tlsgate";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FOREIGN_CA = "CN=Foreign MTA CA,O=Elsewhere";

    private static final String GOOD = "good";
    private static final String UNTRUSTED = "untrusted";
    private static final String PERMANENT = "perm";

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "<destination domain=\"" + domain(PERMANENT) + "\"><level>verify</level><minCipherBits>128</minCipherBits>"
        + "<minProtocol>TLSv1.2</minProtocol><failure>permanent</failure></destination>"
        + "</outbound>\n";

    /** Postfix's smtpd_tls_loglevel 1 line: "... TLS connection established from unknown[127.0.0.1]: TLSv1.3 with cipher X (256/256 bits)". */
    private static final Pattern POSTFIX_TLS = Pattern.compile(
        " TLS connection established from unknown\\[127\\.0\\.0\\.1\\]: (TLSv1\\.[0-3]) with cipher (\\S+) \\((\\d+)/\\d+ bits\\)");

    private static final DemoDns DNS = new DemoDns();
    private static DemoServer server;
    private static PostfixPeer postfix;

    @BeforeAll
    static void start() throws Exception {
        PostfixPeer.requireInstalled();
        server = SampleServer.setup("PostfixRelayIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        CertificateAuthority demoCa = server.pki().ca();
        CertificateAuthority foreignCa = CertificateAuthority.create(FOREIGN_CA);

        // Postfix's socket paths must fit in 108 bytes: a short directory under /tmp, whatever the checkout path.
        postfix = PostfixPeer.builder(Files.createTempDirectory(Path.of("/tmp"), "tgpr"))
            .receiver(GOOD, mx(GOOD), demoCa.issueServer(mx(GOOD), List.of(mx(GOOD)), List.of()))
            .receiver(UNTRUSTED, mx(UNTRUSTED), foreignCa.issueServer(mx(UNTRUSTED), List.of(mx(UNTRUSTED)), List.of()))
            .receiver(PERMANENT, mx(PERMANENT), foreignCa.issueServer(mx(PERMANENT), List.of(mx(PERMANENT)), List.of()))
            .mailbox(recipient(GOOD))
            .mailbox(recipient(UNTRUSTED))
            .mailbox(recipient(PERMANENT))
            .start();
        for (String receiver : List.of(GOOD, UNTRUSTED, PERMANENT)) {
            DNS.mx(domain(receiver), mx(receiver) + ":" + postfix.receiverPort(receiver)).a(mx(receiver), "127.0.0.1");
        }
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

    private static String domain(String receiver) {
        return receiver + ".postfix.test";
    }

    private static String mx(String receiver) {
        return "mx." + domain(receiver);
    }

    private static String recipient(String receiver) {
        return "bob@" + domain(receiver);
    }

    /** How James names the MX in its reasons: name[address]:port. */
    private static String host(String receiver) {
        return mx(receiver) + "[127.0.0.1]:" + postfix.receiverPort(receiver);
    }

    @Test
    void underVerifyWithTheRightCaTheMessageReachesPostfixOverTls() throws Exception {
        long logStart = jamesLogSize();
        String subject = submit(recipient(GOOD));

        String message = postfix.awaitMessage(recipient(GOOD), subject, WAIT);
        assertThat(message)
            .startsWith("Return-Path: <" + DemoServer.USER + ">\n")
            .contains("\nDelivered-To: " + recipient(GOOD) + "\n")
            .contains("\nFrom: <" + DemoServer.USER + ">\n")
            .contains("\nTo: <" + recipient(GOOD) + ">\n")
            .endsWith("\n\nSent through TLS Gate.\n");
        assertThat(postfix.messages(recipient(GOOD))).as("exactly one message delivered").hasSize(1);

        // Postfix's handshake line, its Received header and James's decision line tell the same TLS.
        String postfixTls = awaitPostfixLine(GOOD, " TLS connection established from ");
        Matcher tls = POSTFIX_TLS.matcher(postfixTls);
        assertThat(tls.find()).as(postfixTls).isTrue();
        String protocol = tls.group(1);
        String cipher = tls.group(2);
        assertThat(Integer.parseInt(tls.group(3))).isGreaterThanOrEqualTo(128);

        String received = firstReceived(message);
        assertThat(received)
            .startsWith("Received: from ")
            .contains(" (using " + protocol + " with cipher " + cipher + " (" + tls.group(3) + "/")
            .contains(" (No client certificate requested) ")
            .contains(" by " + mx(GOOD) + " (Postfix) with ESMTPS id ")
            .contains(" for <" + recipient(GOOD) + ">;");

        String decision = awaitJamesLine(logStart, " mx=" + host(GOOD) + " ");
        assertThat(decision)
            .contains(" name=" + mx(GOOD) + " ")
            .contains(" rule=\"default\" ")
            .contains(" tls=" + protocol + " cipher=" + cipher + " ")
            .contains(" verify=OK ")
            .contains(" issuer=\"" + DemoPki.CA_NAME + "\"")
            .contains(" verdict=accept")
            .endsWith(" result=delivered");

        // One whole transaction, ended by QUIT, and the message left Postfix's queue for the Maildir.
        assertThat(awaitPostfixLine(GOOD, " disconnect from "))
            .endsWith(" disconnect from unknown[127.0.0.1] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7");
        String queueId = received.replaceFirst(".* with ESMTPS id ([0-9A-Za-z]+) .*", "$1");
        assertThat(postfix.awaitLogLine(l -> l.contains(" " + queueId + ": to=<" + recipient(GOOD) + ">, relay=virtual,")
            && l.contains(" status=sent (delivered to maildir)"), WAIT)).as(postfix.mailLog()).isPresent();
        assertThat(postfix.awaitLogLine(l -> l.contains(" " + queueId + ": removed"), WAIT)).as(postfix.mailLog()).isPresent();
        assertThat(postfix.isQueued(queueId)).isFalse();
        assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains(recipient(GOOD)));
    }

    @Test
    void aCertificateFromAnUntrustedCaGetsQuitAfterStartTlsAndTheMailStaysQueued() throws Exception {
        submit(recipient(UNTRUSTED));

        QueueProbe.Queued queued = awaitQueued(recipient(UNTRUSTED));
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.recipients).containsExactly(recipient(UNTRUSTED));
        assertThat(queued.error).isEqualTo("4.7.0 " + host(UNTRUSTED) + ": 4.7.0 certificate not trusted: untrusted root " + FOREIGN_CA);

        assertRefusedAfterHandshake(UNTRUSTED);
    }

    @Test
    void aCertificateFromAnUntrustedCaUnderAPermanentRuleBouncesAtOnce() throws Exception {
        submit(recipient(PERMANENT));

        String dsn = awaitDsn(recipient(PERMANENT));
        assertThat(dsn)
            .contains("\nAction: failed\n")
            .contains("\nStatus: 5.7.0 " + host(PERMANENT) + ": 5.7.0 certificate not trusted: untrusted root " + FOREIGN_CA + "\n");
        assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains(recipient(PERMANENT)));

        assertRefusedAfterHandshake(PERMANENT);
    }

    /** Postfix completed the handshake, then got QUIT: no MAIL FROM, nothing queued, nothing in the Maildir. */
    private static void assertRefusedAfterHandshake(String receiver) throws Exception {
        assertThat(POSTFIX_TLS.matcher(awaitPostfixLine(receiver, " TLS connection established from ")).find()).isTrue();
        String disconnect = awaitPostfixLine(receiver, " disconnect from ");
        assertThat(disconnect)
            .endsWith(" disconnect from unknown[127.0.0.1] ehlo=1 starttls=1 quit=1 commands=3")
            .doesNotContain(" mail=");
        // The session is over (the disconnect line comes last) and never got past STARTTLS: a look now is conclusive.
        assertThat(postfixLines(receiver)).noneMatch(l -> l.contains(" NOQUEUE: ") || l.matches(".*: [0-9A-Za-z]+: client=.*"));
        assertThat(postfix.messages(recipient(receiver))).isEmpty();
        assertThat(postfix.queue()).doesNotContain(recipient(receiver));
    }

    /** Alice submits a mail over SMTP (STARTTLS, AUTH PLAIN on the submission port); James relays it. */
    private static String submit(String recipient) {
        String subject = "postfix relay " + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-submission"))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(TlsOptions.trusting(server.pki().ca().certificate()));
            client.command("EHLO client.example");
            assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).code()).isEqualTo(235);
            Reply reply = client.sendMail(DemoServer.USER, recipient, subject);
            assertThat(reply.toString()).isEqualTo("250 2.6.0 Message received");
        }
        return subject;
    }

    private static QueueProbe.Queued awaitQueued(String recipient) throws InterruptedException {
        return await(() -> server.queue(QUEUE).stream().filter(q -> q.recipients.contains(recipient) && q.retries > 0).findFirst(),
            () -> recipient + " never showed up queued for a retry: " + server.queue(QUEUE));
    }

    /** The DSN James's bounces processor (DSNBounce) sends back to alice for this recipient. */
    private static String awaitDsn(String recipient) throws InterruptedException {
        return await(() -> server.inbox(DemoServer.USER).stream().filter(m -> m.contains("Final-Recipient: rfc822; " + recipient)).findFirst(),
            () -> "no DSN for " + recipient + " in " + DemoServer.USER + "'s INBOX");
    }

    /** The mail log lines of one receiver's smtpd. */
    private static List<String> postfixLines(String receiver) {
        String prefix = postfix.receiver(receiver).logPrefix();
        return postfix.mailLog().lines().filter(l -> l.contains(prefix)).collect(java.util.stream.Collectors.toList());
    }

    private static String awaitPostfixLine(String receiver, String text) throws InterruptedException {
        return await(() -> postfixLines(receiver).stream().filter(l -> l.contains(text)).findFirst(),
            () -> "Postfix's " + receiver + " smtpd logged no \"" + text + "\"\n--- mail log:\n" + postfix.mailLog());
    }

    /** James's outbound decision line (logged after {@code offset}) that contains {@code text}. */
    private static String awaitJamesLine(long offset, String text) throws InterruptedException {
        return await(() -> jamesLogSince(offset).lines().filter(l -> l.contains("tlsgate outbound ") && l.contains(text)).findFirst()
                .map(l -> l.substring(l.indexOf("tlsgate outbound "))),
            () -> "James logged no outbound decision with \"" + text + "\"");
    }

    private static <T> T await(Supplier<Optional<T>> probe, Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(failure.get());
    }

    /** The first Received header (Postfix's own), folded lines joined with one space. */
    private static String firstReceived(String message) {
        String headers = message.substring(0, Math.max(0, message.indexOf("\n\n")));
        StringBuilder received = new StringBuilder();
        for (String line : headers.split("\n")) {
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

    private static String jamesLogSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(jamesLog());
            return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
