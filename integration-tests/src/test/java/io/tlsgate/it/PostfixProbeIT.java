package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.utils.GuiceProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.hash.Hashing;
import com.google.inject.multibindings.Multibinder;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * The remote-MTA probe (made by James's Guice from the extension jar) against a real Postfix with STARTTLS, one
 * receiving smtpd per case ({@link PostfixPeer}):
 * <ul>
 *   <li>{@code good}: a certificate from the demo CA (the policy's trust anchor) naming the MX, under the default
 *   rule (verify): accepted, with the TLS Postfix itself logs;</li>
 *   <li>{@code untrusted}: a certificate from another CA: refused (certificate-untrusted, 454 4.7.0);</li>
 *   <li>{@code strict}: a demo CA certificate naming the MX, a provider's host outside the domain, whose rule is level
 *   secure (the certificate must name the recipient domain or a host under it) with a permanent failure: refused
 *   (554 5.7.0).</li>
 * </ul>
 * Postfix's mail log shows what the probe did: the handshake, then EHLO/STARTTLS/QUIT counted on the disconnect line,
 * never MAIL.
 */
class PostfixProbeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String POLICY_FILE = "file://conf/tlsgate-probe.xml";
    private static final String FOREIGN_CA = "CN=Foreign Postfix CA,O=Elsewhere";

    private static final String GOOD = "good";
    private static final String UNTRUSTED = "untrusted";
    private static final String STRICT = "strict";

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "<destination domain=\"" + domain(STRICT) + "\"><level>secure</level><failure>permanent</failure></destination>"
        + "</outbound>\n";

    /** Postfix's smtpd_tls_loglevel 1 line: "... TLS connection established from unknown[127.0.0.1]: TLSv1.3 with cipher X (256/256 bits)". */
    private static final Pattern POSTFIX_TLS = Pattern.compile(
        " TLS connection established from unknown\\[127\\.0\\.0\\.1\\]: (TLSv1\\.[0-3]) with cipher (\\S+) \\((\\d+)/\\d+ bits\\)");

    private static final DemoDns DNS = new DemoDns();
    private static DemoServer server;
    private static PostfixPeer postfix;
    private static IssuedCertificate goodCertificate;

    @BeforeAll
    static void start() throws Exception {
        PostfixPeer.requireInstalled();
        server = SampleServer.setup("PostfixProbeIT")
            .confFile("tlsgate-probe.xml", POLICY)
            .override(binder -> {
                binder.bind(DNSService.class).toInstance(DNS);
                Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(RemoteMtaProbes.class);
            })
            .start();
        CertificateAuthority demoCa = server.pki().ca();
        CertificateAuthority foreignCa = CertificateAuthority.create(FOREIGN_CA);
        goodCertificate = demoCa.issueServer(mx(GOOD), List.of(mx(GOOD)), List.of());

        // Postfix's socket paths must fit in 108 bytes: a short directory under /tmp, whatever the checkout path.
        postfix = PostfixPeer.builder(Files.createTempDirectory(Path.of("/tmp"), "tgpp"))
            .receiver(GOOD, mx(GOOD), goodCertificate)
            .receiver(UNTRUSTED, mx(UNTRUSTED), foreignCa.issueServer(mx(UNTRUSTED), List.of(mx(UNTRUSTED)), List.of()))
            .receiver(STRICT, mx(STRICT), demoCa.issueServer(mx(STRICT), List.of(mx(STRICT)), List.of()))
            .mailbox("bob@" + domain(GOOD))
            .start();
        for (String receiver : List.of(GOOD, UNTRUSTED, STRICT)) {
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
        return receiver + ".postfix-probe.test";
    }

    /** The MX of a receiver's domain; the strict one is hosted elsewhere (not under its domain), as at a provider. */
    private static String mx(String receiver) {
        return receiver.equals(STRICT) ? "mx.hosting.postfix-probe.test" : "mx." + domain(receiver);
    }

    private static JsonNode probe(String receiver) throws Exception {
        JsonNode report = server.james().getProbe(RemoteMtaProbes.class).probe(POLICY_FILE, domain(receiver), null, null, null);
        assertThat(report.get("error").isNull()).as(report.toString()).isTrue();
        assertThat(report.get("hosts")).as(report.toString()).hasSize(1);
        JsonNode host = report.get("hosts").get(0);
        assertThat(host.get("host").asText()).isEqualTo(mx(receiver));
        assertThat(host.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(host.get("port").asInt()).isEqualTo(postfix.receiverPort(receiver));
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isTrue();
        assertThat(host.get("startTlsTried").asBoolean()).isTrue();
        assertThat(host.get("error").isNull()).as(host.toString()).isTrue();
        return host;
    }

    /** The TLS the probe reports is the TLS Postfix logged for its handshake. */
    private static void assertSameTlsAsPostfixLogged(String receiver, JsonNode tls) throws InterruptedException {
        String line = awaitPostfixLine(receiver, " TLS connection established from ");
        Matcher logged = POSTFIX_TLS.matcher(line);
        assertThat(logged.find()).as(line).isTrue();
        assertThat(tls.get("protocol").asText()).isEqualTo(logged.group(1));
        // Postfix logs OpenSSL's suite names: TLS 1.3 ones are the IANA names the JDK uses too.
        assertThat(logged.group(1)).isEqualTo("TLSv1.3");
        assertThat(tls.get("cipherSuite").asText()).isEqualTo(logged.group(2));
        assertThat(tls.get("bits").asInt()).isEqualTo(Integer.parseInt(logged.group(3)));
    }

    @Test
    void aPostfixWithACertificateOfTheTrustAnchorPassesVerify() throws Exception {
        JsonNode host = probe(GOOD);
        assertThat(host.get("rule").asText()).isEqualTo("default");
        JsonNode tls = host.get("tls");
        assertSameTlsAsPostfixLogged(GOOD, tls);
        assertThat(tls.get("verification").asText()).isEqualTo("OK");
        assertThat(tls.get("verificationDetail").asText()).isEqualTo("chain to " + DemoPki.CA_NAME);
        JsonNode leaf = tls.get("chain").get(0);
        assertThat(leaf.get("subject").asText()).isEqualTo(goodCertificate.certificate().getSubjectX500Principal().getName());
        assertThat(leaf.get("issuer").asText()).isEqualTo(DemoPki.CA_NAME);
        assertThat(leaf.get("notAfter").asText()).isEqualTo(goodCertificate.certificate().getNotAfter().toInstant().toString());
        assertThat(leaf.get("sha256Fingerprint").asText())
            .isEqualTo(Hashing.sha256().hashBytes(goodCertificate.certificate().getEncoded()).toString());
        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("status").asText()).isEqualTo("accepted");
        assertThat(verdict.get("replyCode").isNull()).isTrue();

        // EHLO, STARTTLS, EHLO again over TLS, QUIT: no MAIL, nothing queued.
        assertThat(awaitPostfixLine(GOOD, " disconnect from "))
            .endsWith(" disconnect from unknown[127.0.0.1] ehlo=2 starttls=1 quit=1 commands=4");
        assertNothingQueued(GOOD);
    }

    @Test
    void aPostfixWithACertificateOfAnUntrustedCaFailsVerify() throws Exception {
        JsonNode host = probe(UNTRUSTED);
        JsonNode tls = host.get("tls");
        assertSameTlsAsPostfixLogged(UNTRUSTED, tls);
        assertThat(tls.get("verification").asText()).isEqualTo("FAIL");
        assertThat(tls.get("chain").get(0).get("issuer").asText()).isEqualTo(FOREIGN_CA);
        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("status").asText()).isEqualTo("tempfail");
        assertThat(verdict.get("reason").asText()).isEqualTo("certificate-untrusted");
        assertThat(verdict.get("replyCode").asText()).isEqualTo("454");
        assertThat(verdict.get("enhancedStatus").asText()).isEqualTo("4.7.0");
        assertThat(verdict.get("text").asText()).isEqualTo("certificate not trusted: untrusted root " + FOREIGN_CA);
        assertRefusedRightAfterTheHandshake(UNTRUSTED);
    }

    @Test
    void aPostfixNamingOnlyItselfFailsAPermanentSecureRule() throws Exception {
        JsonNode host = probe(STRICT);
        assertThat(host.get("rule").asText()).isEqualTo("domain " + domain(STRICT));
        assertSameTlsAsPostfixLogged(STRICT, host.get("tls"));
        assertThat(host.get("tls").get("verification").asText()).isEqualTo("FAIL");
        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("status").asText()).isEqualTo("permfail");
        assertThat(verdict.get("reason").asText()).isEqualTo("certificate-untrusted");
        assertThat(verdict.get("replyCode").asText()).isEqualTo("554");
        assertThat(verdict.get("enhancedStatus").asText()).isEqualTo("5.7.0");
        assertThat(verdict.get("text").asText())
            .isEqualTo("certificate not trusted: certificate names [" + mx(STRICT) + "], not the recipient domain " + domain(STRICT));
        assertRefusedRightAfterTheHandshake(STRICT);
    }

    /** Postfix completed the handshake, then got QUIT: no second EHLO, no MAIL, nothing queued. */
    private static void assertRefusedRightAfterTheHandshake(String receiver) throws InterruptedException {
        assertThat(awaitPostfixLine(receiver, " disconnect from "))
            .endsWith(" disconnect from unknown[127.0.0.1] ehlo=1 starttls=1 quit=1 commands=3");
        assertNothingQueued(receiver);
    }

    private static void assertNothingQueued(String receiver) {
        // The disconnect line comes last: the session is over, so a look now is conclusive.
        assertThat(postfixLines(receiver)).noneMatch(l -> l.contains(" NOQUEUE: ") || l.matches(".*: [0-9A-Za-z]+: client=.*"));
        assertThat(postfix.queue()).doesNotContain(domain(receiver));
    }

    /** The mail log lines of one receiver's smtpd. */
    private static List<String> postfixLines(String receiver) {
        String prefix = postfix.receiver(receiver).logPrefix();
        return postfix.mailLog().lines().filter(l -> l.contains(prefix)).collect(Collectors.toList());
    }

    private static String awaitPostfixLine(String receiver, String text) throws InterruptedException {
        return await(() -> postfixLines(receiver).stream().filter(l -> l.contains(text)).findFirst(),
            () -> "Postfix's " + receiver + " smtpd logged no \"" + text + "\"\n--- mail log:\n" + postfix.mailLog());
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
}
