package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The remote-MTA probe in a real James (made by James's Guice from the extension jar), against the tests' own SMTP
 * peers on loopback: a peer with a certificate from the demo CA (the policy's trust anchor), under passing and failing
 * rules (wrong name at level secure, a pin that does not match, a bits floor above what is negotiated, a permanent
 * rule); a peer of an untrusted CA; plaintext peers; a handshake that fails; a closed port; a silent server; several
 * MX hosts and the cap on them. Each case asserts the report's JSON as Jackson writes it, and what the peer saw: EHLO,
 * STARTTLS, QUIT, and never MAIL FROM or AUTH.
 */
class RemoteMtaProbeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String POLICY_FILE = "file://conf/tlsgate-probe.xml";
    private static final String FOREIGN_CA = "CN=Foreign Probe CA,O=Elsewhere";
    private static final String WRONG_PIN = "ab".repeat(32);

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "<destination domain=\"weak.probe.test\"><level>encrypt</level><minCipherBits>256</minCipherBits></destination>"
        + "<destination domain=\"secure.probe.test\"><level>secure</level></destination>"
        + "<destination domain=\"perm.probe.test\"><level>verify</level><failure>permanent</failure></destination>"
        + "<destination domain=\"may.probe.test\"><level>may</level></destination>"
        + "<destination recipient=\"vip@good.probe.test\"><level>fingerprint</level><pin of=\"spki\">" + WRONG_PIN + "</pin></destination>"
        + "<destination mx=\"mx.trynot.probe.test\"><level>none</level></destination>"
        + "</outbound>\n";

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;
    private static IssuedCertificate goodCertificate;

    private static SmtpPeer good;
    private static SmtpPeer untrusted;
    private static SmtpPeer weak;
    private static SmtpPeer secure;
    private static SmtpPeer perm;
    private static SmtpPeer plain;
    private static SmtpPeer mayPlain;
    private static SmtpPeer tryNot;
    private static SmtpPeer failing;
    private static SmtpPeer second;
    private static SmtpPeer third;
    private static int closedPort;
    private static SmtpPeer relayGood;
    private static SmtpPeer relayUntrusted;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("RemoteMtaProbeIT")
            .confFile("tlsgate-probe.xml", POLICY)
            // The relay runs under the same policy, to compare its decisions with the probe's.
            .confFile("tlsgate-outbound.xml", POLICY)
            .override(binder -> {
                binder.bind(DNSService.class).toInstance(DNS);
                Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(RemoteMtaProbes.class);
            })
            .start();
        ca = server.pki().ca();
        CertificateAuthority foreign = CertificateAuthority.create(FOREIGN_CA);
        goodCertificate = serverCertificate("mx.good.probe.test");
        good = PEERS.started(SmtpPeer.builder().certificate(goodCertificate));
        // As James's DNS gives them (DNSJavaService): the MX name with its trailing dot.
        DNS.mx("good.probe.test", "mx.good.probe.test.:" + good.port()).a("mx.good.probe.test", "127.0.0.1");
        untrusted = PEERS.mx("untrusted.probe.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.untrusted.probe.test",
            List.of("mx.untrusted.probe.test"), List.of())));
        weak = PEERS.mx("weak.probe.test", SmtpPeer.builder().certificate(serverCertificate("mx.weak.probe.test"))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
        // Level secure wants the recipient domain in the certificate; the hosting MX names only itself.
        secure = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx.hosting.probe.test")));
        DNS.mx("secure.probe.test", "mx.hosting.probe.test:" + secure.port()).a("mx.hosting.probe.test", "127.0.0.1");
        perm = PEERS.mx("perm.probe.test", SmtpPeer.builder().certificate(serverCertificate("other.host.test")));
        plain = PEERS.mx("plain.probe.test", SmtpPeer.builder().advertiseStartTls(false));
        mayPlain = PEERS.mx("may.probe.test", SmtpPeer.builder().advertiseStartTls(false));
        tryNot = PEERS.mx("trynot.probe.test", SmtpPeer.builder().certificate(serverCertificate("mx.trynot.probe.test")));
        failing = PEERS.mx("failing.probe.test", SmtpPeer.builder().certificate(serverCertificate("mx.failing.probe.test")).failHandshake());
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        second = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx2.three.probe.test")));
        third = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx3.three.probe.test")));
        DNS.mx("three.probe.test", "mx1.three.probe.test:" + closedPort, "mx2.three.probe.test:" + second.port(),
                "mx3.three.probe.test:" + third.port())
            .a("mx1.three.probe.test", "127.0.0.1").a("mx2.three.probe.test", "127.0.0.1").a("mx3.three.probe.test", "127.0.0.1");
        DNS.a("peer-host.probe.test", "127.0.0.1");
        relayGood = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx.relay.probe.test")));
        DNS.mx("relay.probe.test", "mx.relay.probe.test.:" + relayGood.port()).a("mx.relay.probe.test", "127.0.0.1");
        relayUntrusted = PEERS.mx("relay-untrusted.probe.test", SmtpPeer.builder().certificate(foreign.issueServer(
            "mx.relay-untrusted.probe.test", List.of("mx.relay-untrusted.probe.test"), List.of())));
    }

    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
        }
    }

    private static IssuedCertificate serverCertificate(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }

    private static RemoteMtaProbes probes() {
        return server.james().getProbe(RemoteMtaProbes.class);
    }

    private static JsonNode probeDomain(String domain) throws Exception {
        return probes().probe(POLICY_FILE, domain, null, null, null);
    }

    /** The report's only host. */
    private static JsonNode onlyHost(JsonNode report) {
        assertThat(report.get("error").isNull()).as(report.toString()).isTrue();
        assertThat(report.get("hosts")).as(report.toString()).hasSize(1);
        assertThat(report.get("hostsNotProbed").asInt()).isZero();
        return report.get("hosts").get(0);
    }

    /** What the probe said to a server. */
    private enum Dialogue {
        /** EHLO, QUIT. */
        PLAIN,
        /** EHLO, STARTTLS, EHLO over TLS, QUIT. */
        TLS_ACCEPTED,
        /** EHLO, STARTTLS, QUIT right after the handshake (as the relay refuses). */
        TLS_REFUSED
    }

    /** The peer's last session: {@code dialogue} then nothing; never MAIL FROM, AUTH (though offered) or message bytes. */
    private static Session assertProbedWithoutMail(SmtpPeer peer, Dialogue dialogue) {
        peer.awaitSessions(1, WAIT);
        Session session = peer.sessions().get(peer.sessions().size() - 1);
        awaitEnded(session);
        String helo = "EHLO " + session.heloName().orElseThrow();
        assertThat(helo).isEqualTo("EHLO " + DemoServer.DOMAIN);
        List<String> expected = dialogue == Dialogue.PLAIN ? List.of(helo, "QUIT")
            : dialogue == Dialogue.TLS_ACCEPTED ? List.of(helo, "STARTTLS", "[tls] " + helo, "[tls] QUIT")
            : List.of(helo, "STARTTLS", "[tls] QUIT");
        assertThat(session.transcript()).as(session.toString()).isEqualTo(expected);
        assertThat(session.sawMailFrom()).isFalse();
        assertThat(session.sawAuth()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
        return session;
    }

    private static void awaitEnded(Session session) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!session.ended() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        assertThat(session.ended()).as(session.toString()).isTrue();
    }

    private static String sha256(IssuedCertificate certificate) throws Exception {
        return Hashing.sha256().hashBytes(certificate.certificate().getEncoded()).toString();
    }

    private static String spki(IssuedCertificate certificate) {
        return Hashing.sha256().hashBytes(certificate.certificate().getPublicKey().getEncoded()).toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    @Test
    void aPeerWithACertificateOfTheTrustAnchorPassesVerify() throws Exception {
        JsonNode report = probeDomain("good.probe.test");
        assertThat(report.get("target").get("kind").asText()).isEqualTo("DOMAIN");
        assertThat(report.get("target").get("domain").asText()).isEqualTo("good.probe.test");
        JsonNode host = onlyHost(report);
        assertThat(host.get("host").asText()).isEqualTo("mx.good.probe.test");
        assertThat(host.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(host.get("port").asInt()).isEqualTo(good.port());
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isTrue();
        assertThat(host.get("startTlsTried").asBoolean()).isTrue();
        assertThat(host.get("rule").asText()).isEqualTo("default");
        assertThat(host.get("recipientRule").isNull()).isTrue();
        assertThat(host.get("serverRule").isNull()).isTrue();
        assertThat(texts(host.get("requirements"))).containsExactly("default: level=verify minCipherBits=128 minProtocol=TLSv1.2"
            + " failure=temporary missingTls=temporary afterRefusal=refuse");
        assertThat(host.get("error").isNull()).isTrue();

        Session session = assertProbedWithoutMail(good, Dialogue.TLS_ACCEPTED);
        JsonNode tls = host.get("tls");
        assertThat(tls.get("protocol").asText()).isEqualTo(session.handshake().orElseThrow().protocol()).isEqualTo("TLSv1.3");
        assertThat(tls.get("cipherSuite").asText()).isEqualTo(session.handshake().orElseThrow().cipherSuite()).startsWith("TLS_AES_");
        assertThat(tls.get("bits").asInt()).isEqualTo(tls.get("cipherSuite").asText().contains("_256_") ? 256 : 128);
        assertThat(tls.get("verification").asText()).isEqualTo("OK");
        assertThat(tls.get("verificationDetail").asText()).isEqualTo("chain to " + DemoPki.CA_NAME);
        assertThat(tls.get("chain")).hasSize(goodCertificate.chain().size());
        JsonNode leaf = tls.get("chain").get(0);
        assertThat(leaf.get("subject").asText()).isEqualTo("CN=mx.good.probe.test,O=TLS Gate Demo");
        assertThat(leaf.get("issuer").asText()).isEqualTo(DemoPki.CA_NAME);
        assertThat(leaf.get("notAfter").asText()).isEqualTo(goodCertificate.certificate().getNotAfter().toInstant().toString());
        assertThat(leaf.get("sha256Fingerprint").asText()).isEqualTo(sha256(goodCertificate));
        JsonNode root = tls.get("chain").get(1);
        assertThat(root.get("subject").asText()).isEqualTo(DemoPki.CA_NAME);
        assertThat(root.get("issuer").asText()).isEqualTo(DemoPki.CA_NAME);

        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("accepted").asBoolean()).isTrue();
        assertThat(verdict.get("status").asText()).isEqualTo("accepted");
        assertThat(verdict.get("reason").isNull()).isTrue();
        assertThat(verdict.get("replyCode").isNull()).isTrue();
        assertThat(verdict.get("enhancedStatus").isNull()).isTrue();
        assertThat(verdict.get("text").asText()).isEmpty();
        assertThat(verdict.get("decidedBy").asText()).isEqualTo("default");
        // SNI carries the MX name, without the trailing dot DNS gave it.
        assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("mx.good.probe.test");
    }

    /** A refusal as the relay makes it: QUIT right after the handshake, and the verdict's reply. */
    private static void assertRefused(JsonNode host, String status, String reason, String code, String enhanced, String text) {
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("error").isNull()).as(host.toString()).isTrue();
        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("accepted").asBoolean()).as(host.toString()).isFalse();
        assertThat(verdict.get("status").asText()).isEqualTo(status);
        assertThat(verdict.get("temporary").asBoolean()).isEqualTo(status.equals("tempfail"));
        assertThat(verdict.get("reason").asText()).isEqualTo(reason);
        assertThat(verdict.get("replyCode").asText()).isEqualTo(code);
        assertThat(verdict.get("enhancedStatus").asText()).isEqualTo(enhanced);
        assertThat(verdict.get("text").asText()).isEqualTo(text);
    }

    @Test
    void aCertificateOfAnUntrustedCaFailsVerify() throws Exception {
        JsonNode host = onlyHost(probeDomain("untrusted.probe.test"));
        assertRefused(host, "tempfail", "certificate-untrusted", "454", "4.7.0",
            "certificate not trusted: untrusted root " + FOREIGN_CA);
        assertThat(host.get("tls").get("verification").asText()).isEqualTo("FAIL");
        assertThat(host.get("tls").get("verificationDetail").asText()).isEqualTo("untrusted root " + FOREIGN_CA);
        assertThat(host.get("tls").get("chain").get(0).get("issuer").asText()).isEqualTo(FOREIGN_CA);
        assertThat(host.get("verdict").get("decidedBy").asText()).isEqualTo("default");
        assertProbedWithoutMail(untrusted, Dialogue.TLS_REFUSED);
    }

    @Test
    void aBitsFloorAboveWhatIsNegotiatedFails() throws Exception {
        JsonNode host = onlyHost(probeDomain("weak.probe.test"));
        assertThat(host.get("rule").asText()).isEqualTo("domain weak.probe.test");
        assertThat(host.get("recipientRule").asText()).isEqualTo("domain weak.probe.test");
        assertThat(host.get("serverRule").isNull()).isTrue();
        JsonNode tls = host.get("tls");
        assertThat(tls.get("protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(tls.get("cipherSuite").asText()).isEqualTo("TLS_AES_128_GCM_SHA256");
        assertThat(tls.get("bits").asInt()).isEqualTo(128);
        assertRefused(host, "tempfail", "cipher-too-weak", "454", "4.7.0", "encryption too weak: 128 bits, 256 required");
        assertProbedWithoutMail(weak, Dialogue.TLS_REFUSED);
    }

    @Test
    void levelSecureWantsTheRecipientDomainInTheCertificate() throws Exception {
        JsonNode host = onlyHost(probeDomain("secure.probe.test"));
        assertThat(host.get("host").asText()).isEqualTo("mx.hosting.probe.test");
        assertThat(host.get("rule").asText()).isEqualTo("domain secure.probe.test");
        assertThat(host.get("tls").get("verification").asText()).isEqualTo("FAIL");
        assertRefused(host, "tempfail", "certificate-untrusted", "454", "4.7.0",
            "certificate not trusted: certificate names [mx.hosting.probe.test], not the recipient domain secure.probe.test");
        assertProbedWithoutMail(secure, Dialogue.TLS_REFUSED);
    }

    @Test
    void aPinThatDoesNotMatchFailsTheRecipientsRule() throws Exception {
        JsonNode host = onlyHost(probes().probe(POLICY_FILE, "good.probe.test", null, null, "vip@good.probe.test"));
        assertThat(host.get("rule").asText()).isEqualTo("recipient vip@good.probe.test");
        assertThat(host.get("recipientRule").asText()).isEqualTo("recipient vip@good.probe.test");
        assertThat(host.get("tls").get("verification").asText()).isEqualTo("FAIL");
        assertRefused(host, "tempfail", "certificate-untrusted", "454", "4.7.0", "certificate not trusted: pin mismatch: no certificate of the chain matches a configured pin (leaf"
            + " CN=mx.good.probe.test,O=TLS Gate Demo spki:sha256:" + spki(goodCertificate) + ")");
        assertThat(host.get("verdict").get("decidedBy").asText()).isEqualTo("recipient vip@good.probe.test");
        assertProbedWithoutMail(good, Dialogue.TLS_REFUSED);
    }

    @Test
    void aPermanentRuleRefusesWith554() throws Exception {
        JsonNode host = onlyHost(probeDomain("perm.probe.test"));
        assertRefused(host, "permfail", "certificate-untrusted", "554", "5.7.0",
            "certificate not trusted: certificate names [other.host.test], not the MX host mx.perm.probe.test");
        assertProbedWithoutMail(perm, Dialogue.TLS_REFUSED);
    }

    @Test
    void aPlaintextPeerIsRefusedWhenTheRuleRequiresTls() throws Exception {
        JsonNode host = onlyHost(probeDomain("plain.probe.test"));
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isFalse();
        // The rule would try STARTTLS, but the server did not offer it: not sent.
        assertThat(host.get("startTlsTried").asBoolean()).isFalse();
        assertThat(host.get("tls").isNull()).isTrue();
        assertRefused(host, "tempfail", "tls-missing", "454", "4.7.0", "the server does not offer STARTTLS");
        assertProbedWithoutMail(plain, Dialogue.PLAIN);
    }

    @Test
    void aPlaintextPeerIsAcceptedAtLevelMay() throws Exception {
        JsonNode host = onlyHost(probeDomain("may.probe.test"));
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isFalse();
        assertThat(host.get("tls").isNull()).isTrue();
        assertThat(host.get("rule").asText()).isEqualTo("domain may.probe.test");
        assertThat(host.get("verdict").get("status").asText()).isEqualTo("accepted");
        assertThat(host.get("error").isNull()).isTrue();
        assertProbedWithoutMail(mayPlain, Dialogue.PLAIN);
    }

    @Test
    void aServerWhoseRuleIsLevelNoneIsNeverAskedForStartTls() throws Exception {
        JsonNode host = onlyHost(probeDomain("trynot.probe.test"));
        assertThat(host.get("serverRule").asText()).isEqualTo("mx mx.trynot.probe.test");
        assertThat(host.get("startTlsOffered").asBoolean()).isTrue();
        assertThat(host.get("startTlsTried").asBoolean()).isFalse();
        assertThat(host.get("tls").isNull()).isTrue();
        assertThat(host.get("verdict").get("status").asText()).isEqualTo("accepted");
        assertProbedWithoutMail(tryNot, Dialogue.PLAIN);
    }

    @Test
    void aFailedHandshakeIsReportedNotThrown() throws Exception {
        JsonNode host = onlyHost(probeDomain("failing.probe.test"));
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isTrue();
        assertThat(host.get("tls").isNull()).isTrue();
        assertThat(host.get("verdict").isNull()).isTrue();
        assertThat(host.get("error").asText()).isEqualTo("TLS handshake failed: Received fatal alert: handshake_failure");
        Session session = failing.awaitSessions(1, WAIT).get(0);
        awaitEnded(session);
        assertThat(session.sawMailFrom()).isFalse();
        assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("mx.failing.probe.test");
    }

    @Test
    void aClosedPortIsReportedAsNotConnected() throws Exception {
        JsonNode report = probes().probe(POLICY_FILE, null, "127.0.0.1", String.valueOf(closedPort), null);
        assertThat(report.get("target").get("kind").asText()).isEqualTo("HOST");
        JsonNode host = onlyHost(report);
        assertThat(host.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(host.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(host.get("port").asInt()).isEqualTo(closedPort);
        assertThat(host.get("connected").asBoolean()).isFalse();
        assertThat(host.get("startTlsOffered").asBoolean()).isFalse();
        assertThat(host.get("startTlsTried").asBoolean()).isFalse();
        assertThat(host.get("tls").isNull()).isTrue();
        assertThat(host.get("verdict").isNull()).isTrue();
        assertThat(host.get("error").asText()).isEqualTo("cannot connect to 127.0.0.1:" + closedPort + ": Connection refused (timeout 10000 ms)");
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            JsonNode report = probes().probe(Duration.ofSeconds(1), 10, POLICY_FILE, null, "127.0.0.1", String.valueOf(silent.getLocalPort()), null);
            // The connection waits in the backlog: connected, but no greeting ever comes.
            JsonNode host = onlyHost(report);
            assertThat(host.get("connected").asBoolean()).isTrue();
            assertThat(host.get("verdict").isNull()).isTrue();
            assertThat(host.get("error").asText()).isEqualTo("Exception reading response (Read timed out)");
        }
    }

    @Test
    void aServerThatTricklesItsGreetingIsCutOffAtTheDeadline() throws Exception {
        try (ServerSocket trickling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket client = trickling.accept()) {
                    java.io.OutputStream out = client.getOutputStream();
                    // Each line comes within the read timeout (1 s), so only the deadline (3 timeouts) ends this.
                    for (int i = 0; i < 120; i++) {
                        out.write("220-still greeting\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(250);
                    }
                } catch (Exception e) {
                    // The probe closed the connection: expected.
                }
            });
            server.setDaemon(true);
            server.start();
            JsonNode report = probes().probe(Duration.ofSeconds(1), 10, POLICY_FILE, null, "127.0.0.1", String.valueOf(trickling.getLocalPort()), null);
            JsonNode host = onlyHost(report);
            assertThat(host.get("connected").asBoolean()).isTrue();
            assertThat(host.get("startTlsTried").asBoolean()).isFalse();
            assertThat(host.get("verdict").isNull()).isTrue();
            assertThat(host.get("error").asText()).startsWith("no answer within the probe's deadline of 3 s (");
            server.join(WAIT.toMillis());
            assertThat(server.isAlive()).as("the probe closed the trickling connection").isFalse();
        }
    }

    @Test
    void aHostByNameIsResolvedAsAGatewayAndJudgedUnderTheRecipientsRule() throws Exception {
        JsonNode report = probes().probe(POLICY_FILE, null, "peer-host.probe.test", String.valueOf(good.port()), "bob@may.probe.test");
        assertThat(report.get("target").get("host").asText()).isEqualTo("peer-host.probe.test");
        assertThat(report.get("target").get("recipient").asText()).isEqualTo("bob@may.probe.test");
        JsonNode host = onlyHost(report);
        assertThat(host.get("host").asText()).isEqualTo("peer-host.probe.test");
        assertThat(host.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(host.get("port").asInt()).isEqualTo(good.port());
        // The recipient's domain rule applies to the host, as it would to a gateway in the relay: level may accepts
        // TLS whatever the certificate, which names another host (verification is reported all the same).
        assertThat(host.get("rule").asText()).isEqualTo("domain may.probe.test");
        assertThat(host.get("tls").get("verification").asText()).isEqualTo("FAIL");
        assertThat(host.get("tls").get("verificationDetail").asText())
            .isEqualTo("certificate names [mx.good.probe.test], not the MX host peer-host.probe.test");
        assertThat(host.get("verdict").get("status").asText()).isEqualTo("accepted");
        Session session = assertProbedWithoutMail(good, Dialogue.TLS_ACCEPTED);
        assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("peer-host.probe.test");
    }

    @Test
    void everyMxIsProbedInOrderUpToTheCap() throws Exception {
        JsonNode all = probeDomain("three.probe.test");
        assertThat(all.get("hosts")).hasSize(3);
        assertThat(all.get("hosts").get(0).get("host").asText()).isEqualTo("mx1.three.probe.test");
        assertThat(all.get("hosts").get(0).get("connected").asBoolean()).isFalse();
        assertThat(all.get("hosts").get(1).get("host").asText()).isEqualTo("mx2.three.probe.test");
        assertThat(all.get("hosts").get(1).get("verdict").get("status").asText()).isEqualTo("accepted");
        assertThat(all.get("hosts").get(2).get("host").asText()).isEqualTo("mx3.three.probe.test");
        assertThat(all.get("hosts").get(2).get("verdict").get("status").asText()).isEqualTo("accepted");
        assertThat(all.get("hostsNotProbed").asInt()).isZero();

        JsonNode capped = probes().probe(Duration.ofSeconds(10), 2, POLICY_FILE, "three.probe.test", null, null, null);
        assertThat(capped.get("hosts")).hasSize(2);
        assertThat(capped.get("hosts").get(1).get("host").asText()).isEqualTo("mx2.three.probe.test");
        assertThat(capped.get("hostsNotProbed").asInt()).isEqualTo(1);
    }

    @Test
    void aDomainWithoutMailServerIsReported() throws Exception {
        JsonNode report = probeDomain("nomx.probe.test");
        assertThat(report.get("hosts")).isEmpty();
        assertThat(report.get("error").asText()).isEqualTo("5.4.4 no mail server found for nomx.probe.test");
    }

    @Test
    void aHostWithoutAddressIsReported() throws Exception {
        JsonNode report = probes().probe(POLICY_FILE, null, "nosuch.probe.test", null, null);
        assertThat(report.get("hosts")).isEmpty();
        assertThat(report.get("error").asText()).isEqualTo("5.4.4 host nosuch.probe.test has no address");
    }

    @Test
    void badProbeSettingsAreRefused() {
        assertThat(catchThrowable(() -> probes().probe(Duration.ZERO, 10, POLICY_FILE, "good.probe.test", null, null, null)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("probe timeout must be positive, got PT0S");
        assertThat(catchThrowable(() -> probes().probe(Duration.ofSeconds(10), 0, POLICY_FILE, "good.probe.test", null, null, null)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("the probe must try at least one host, got 0");
    }

    @Test
    void badInputIsRefusedBeforeAnyLookup() {
        assertThat(catchThrowable(() -> probes().probe(POLICY_FILE, "bad domain", null, null, null)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("domain 'bad domain' is not a valid domain name");
        assertThat(catchThrowable(() -> probes().probe(POLICY_FILE, null, "127.0.0.1", "70000", null)))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("port 70000 is out of range: give 1 to 65535");
        assertThat(catchThrowable(() -> probes().probe(POLICY_FILE, "good.probe.test", null, null, "bob@other.test")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("recipient bob@other.test is not an address of the domain");
    }

    /** Alice submits a mail over SMTP (STARTTLS, AUTH PLAIN on the submission port); James relays it. */
    private static String submit(String recipient) {
        String subject = "probe relay " + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-submission"))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(TlsOptions.trusting(ca.certificate()));
            client.command("EHLO client.example");
            assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).code()).isEqualTo(235);
            Reply reply = client.sendMail(DemoServer.USER, recipient, subject);
            assertThat(reply.toString()).isEqualTo("250 2.6.0 Message received");
        }
        return subject;
    }

    @Test
    void theRelayDeliversWhereTheProbeAccepts() throws Exception {
        // The MX name comes with a trailing dot (as from James's DNSJavaService): SNI still carries the name.
        String subject = submit("bob@relay.probe.test");
        assertThat(relayGood.awaitMessages(1, WAIT)).singleElement().satisfies(message -> {
            assertThat(message.text()).contains("Subject: " + subject);
            assertThat(message.tls()).isTrue();
        });
        Session delivery = relayGood.sessions().stream().filter(Session::sawMailFrom).findFirst().orElseThrow();
        assertThat(delivery.handshake().orElseThrow().sniHostNames()).containsExactly("mx.relay.probe.test");

        JsonNode host = onlyHost(probeDomain("relay.probe.test"));
        assertThat(host.get("verdict").get("status").asText()).isEqualTo("accepted");
        assertThat(assertProbedWithoutMail(relayGood, Dialogue.TLS_ACCEPTED).handshake().orElseThrow().sniHostNames())
            .containsExactly("mx.relay.probe.test");
    }

    @Test
    void theRelayRefusesWhereTheProbeRefusesAndSaysTheSame() throws Exception {
        JsonNode host = onlyHost(probeDomain("relay-untrusted.probe.test"));
        JsonNode verdict = host.get("verdict");
        assertThat(verdict.get("status").asText()).isEqualTo("tempfail");

        submit("bob@relay-untrusted.probe.test");
        QueueProbe.Queued queued = awaitQueued("bob@relay-untrusted.probe.test");
        assertThat(queued.error).isEqualTo(verdict.get("enhancedStatus").asText() + " mx.relay-untrusted.probe.test[127.0.0.1]:"
            + relayUntrusted.port() + ": " + verdict.get("enhancedStatus").asText() + " " + verdict.get("text").asText());
        assertThat(relayUntrusted.sessions()).noneMatch(Session::sawMailFrom);
    }

    private static QueueProbe.Queued awaitQueued(String recipient) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (QueueProbe.Queued queued : server.queue("outgoing-tlsgate")) {
                if (queued.recipients.contains(recipient) && queued.retries > 0) {
                    return queued;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(recipient + " never showed up queued for a retry: " + server.queue("outgoing-tlsgate"));
    }
}
