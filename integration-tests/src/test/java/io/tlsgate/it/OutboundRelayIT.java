package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
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
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The relay mailet in a real James: mail submitted over SMTP (AUTH on the submission port) is relayed to local TLS
 * peers through MX records, under conf-samples' policy plus a few destination rules. Each case asserts what the peer
 * saw (QUIT after the handshake, no MAIL FROM, no message bytes) and where the mail ended up (delivered, still
 * queued with its retry count, or bounced with a DSN in the sender's mailbox).
 */
class OutboundRelayIT {
    private static final String QUEUE = "outgoing-tlsgate";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static CertificateAuthority ca;

    private static SmtpPeer good;
    private static SmtpPeer unknownCa;
    private static SmtpPeer wrongName;
    private static SmtpPeer expired;
    private static SmtpPeer weak;
    private static SmtpPeer oldProtocol;
    private static SmtpPeer noStartTls;
    private static SmtpPeer drop;
    private static SmtpPeer busy;
    private static SmtpPeer refusing;
    private static SmtpPeer firstMx;
    private static SmtpPeer secondMx;
    private static SmtpPeer permanent;
    private static SmtpPeer needsCertificate;
    private static SmtpPeer opportunistic;
    private static SmtpPeer opportunisticPlain;
    private static SmtpPeer noTls;
    private static SmtpPeer secure;
    private static SmtpPeer secureElsewhere;
    private static SmtpPeer pinned;
    private static SmtpPeer byAddress;
    private static SmtpPeer bothSides;

    /** Made before the policy is written: the policy pins its key. */
    private static final CertificateAuthority FOREIGN = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
    private static final IssuedCertificate PINNED = FOREIGN.issueServer("mx.pinned.test", List.of("mx.pinned.test"), List.of());

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "<destination domain=\"weak.test\"><level>encrypt</level><minCipherBits>256</minCipherBits></destination>"
        + "<destination domain=\"old.test\"><level>verify</level><minProtocol>TLSv1.3</minProtocol></destination>"
        + "<destination domain=\"perm.test\"><level>verify</level><failure>permanent</failure></destination>"
        + "<destination domain=\"clientcert.test\"><level>verify</level>"
        + "<clientCertificate password=\"tlsgate-demo\">file://conf/tls/relay-client.p12</clientCertificate></destination>"
        + "<destination domain=\"may.test mayplain.test\"><level>may</level></destination>"
        + "<destination domain=\"none.test\"><level>none</level></destination>"
        + "<destination domain=\"secure.test, elsewhere.test\"><level>secure</level></destination>"
        + "<destination domain=\"pinned.test\"><level>fingerprint</level><pin of=\"spki\">" + spki(PINNED) + "</pin></destination>"
        + "<destination recipient=\"vip@good.test\"><level>fingerprint</level><pin of=\"spki\">" + "ab".repeat(32) + "</pin></destination>"
        + "<destination mx=\"127.0.0.3/32\"><level>encrypt</level><minCipherBits>128</minCipherBits></destination>"
        // Both sides have an entry: the domain's (encrypt) and the MX's (verify) both apply.
        + "<destination domain=\"both.test\"><level>encrypt</level></destination>"
        + "<destination mx=\"mx.both.test\"><level>verify</level></destination>"
        + "</outbound>\n";

    private static String spki(IssuedCertificate certificate) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getPublicKey().getEncoded());
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("OutboundRelayIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        CertificateAuthority foreign = FOREIGN;
        Instant now = Instant.now();
        good = PEERS.mx("good.test", SmtpPeer.builder().certificate(serverCertificate("mx.good.test")));
        unknownCa = PEERS.mx("untrusted.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.untrusted.test",
            List.of("mx.untrusted.test"), List.of())));
        wrongName = PEERS.mx("wrongname.test", SmtpPeer.builder().certificate(serverCertificate("other.host.test")));
        expired = PEERS.mx("expired.test", SmtpPeer.builder().certificate(ca.leaf("mx.expired.test").dnsNames("mx.expired.test")
            .purposes(io.tlsgate.demo.pki.LeafBuilder.Purpose.SERVER_AUTH)
            .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issue()));
        weak = PEERS.mx("weak.test", SmtpPeer.builder().certificate(serverCertificate("mx.weak.test"))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
        oldProtocol = PEERS.mx("old.test", SmtpPeer.builder().certificate(serverCertificate("mx.old.test")).enabledProtocols("TLSv1.2"));
        noStartTls = PEERS.mx("plain.test", SmtpPeer.builder().advertiseStartTls(false));
        drop = PEERS.mx("drop.test", SmtpPeer.builder().certificate(serverCertificate("mx.drop.test")).dropAfterStartTls());
        busy = PEERS.mx("busy.test", SmtpPeer.builder().certificate(serverCertificate("mx.busy.test")).reply("RCPT", "450 4.2.0 mailbox busy"));
        refusing = PEERS.mx("refusing.test", SmtpPeer.builder().certificate(serverCertificate("mx.refusing.test"))
            .reply("RCPT", "550 5.1.1 no such user"));
        permanent = PEERS.mx("perm.test", SmtpPeer.builder().certificate(serverCertificate("other.host.test")));
        needsCertificate = PEERS.mx("clientcert.test", SmtpPeer.builder().certificate(serverCertificate("mx.clientcert.test"))
            .requireClientCertificate(List.of(ca.certificate())));
        firstMx = PEERS.started(SmtpPeer.builder().certificate(foreign.issueServer("mx1.twomx.test", List.of("mx1.twomx.test"), List.of())));
        secondMx = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx2.twomx.test")));
        DNS.mx("twomx.test", "mx1.twomx.test:" + firstMx.port(), "mx2.twomx.test:" + secondMx.port())
            .a("mx1.twomx.test", "127.0.0.1").a("mx2.twomx.test", "127.0.0.1");
        opportunistic = PEERS.mx("may.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.may.test", List.of("mx.may.test"), List.of())));
        opportunisticPlain = PEERS.mx("mayplain.test", SmtpPeer.builder().advertiseStartTls(false));
        noTls = PEERS.mx("none.test", SmtpPeer.builder().certificate(serverCertificate("mx.none.test")));
        // Level secure: the certificate must name the recipient domain (or below it), whatever the MX is called.
        secure = PEERS.mx("secure.test", SmtpPeer.builder().certificate(ca.issueServer("secure.test", List.of("secure.test"), List.of())));
        secureElsewhere = PEERS.started(SmtpPeer.builder().certificate(serverCertificate("mx.hosting.test")));
        DNS.mx("elsewhere.test", "mx.hosting.test:" + secureElsewhere.port()).a("mx.hosting.test", "127.0.0.1");
        pinned = PEERS.mx("pinned.test", SmtpPeer.builder().certificate(PINNED));
        byAddress = PEERS.started(SmtpPeer.builder().address(java.net.InetAddress.getByName("127.0.0.3"))
            .certificate(foreign.issueServer("mx.addr.test", List.of("mx.addr.test"), List.of())));
        DNS.mx("addr.test", "mx.addr.test:" + byAddress.port()).a("mx.addr.test", "127.0.0.3");
        bothSides = PEERS.mx("both.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.both.test",
            List.of("mx.both.test"), List.of())));
    }

    private static IssuedCertificate serverCertificate(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }


    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
        }
    }

    /** Alice submits a mail over SMTP (STARTTLS, AUTH PLAIN on the submission port); James relays it. */
    private static String submit(String recipient) {
        String subject = "relay " + UUID.randomUUID();
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

    private static void assertQuitBeforeMailFrom(Session session) {
        assertThat(session.transcript()).as(session.toString()).contains("STARTTLS").endsWith("[tls] QUIT");
        assertThat(session.sawMailFrom()).as(session.toString()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
    }

    private static QueueProbe.Queued awaitQueued(String recipient) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (QueueProbe.Queued queued : server.queue(QUEUE)) {
                if (queued.recipients.contains(recipient) && queued.retries > 0) {
                    return queued;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(recipient + " never showed up queued for a retry: " + server.queue(QUEUE));
    }

    @Test
    void aDestinationMeetingThePolicyGetsTheMail() throws Exception {
        String subject = submit("bob@good.test");
        assertThat(good.awaitMessages(1, WAIT).stream().filter(m -> m.text().contains("Subject: " + subject)).findFirst())
            .hasValueSatisfying(message -> {
                assertThat(message.tls()).isTrue();
                assertThat(message.recipients()).containsExactly("bob@good.test");
            });
        int id = good.messages().stream().filter(m -> m.text().contains("Subject: " + subject)).findFirst().orElseThrow().sessionId();
        Session session = good.sessions().stream().filter(s -> s.id() == id).findFirst().orElseThrow();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!session.ended() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(session.handshake().orElseThrow().sniHostNames()).containsExactly("mx.good.test");
        assertThat(session.transcript()).contains("[tls] MAIL FROM:<" + DemoServer.USER + ">").endsWith("[tls] QUIT");
    }

    @Test
    void anUntrustedCertificateGetsQuitAndTheMailStaysQueued() throws Exception {
        submit("bob@untrusted.test");
        assertQuitBeforeMailFrom(unknownCa.awaitSessions(1, WAIT).get(0));
        QueueProbe.Queued queued = awaitQueued("bob@untrusted.test");
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.error).startsWith("4.7.0 mx.untrusted.test[127.0.0.1]:" + unknownCa.port()
            + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
    }

    /** A temporary policy refusal: QUIT after the handshake, nothing sent, the mail queued with the reason. */
    private static QueueProbe.Queued assertRefusedAndQueued(SmtpPeer peer, String recipient) throws Exception {
        submit(recipient);
        assertQuitBeforeMailFrom(peer.awaitSessions(1, WAIT).get(0));
        QueueProbe.Queued queued = awaitQueued(recipient);
        assertThat(queued.retries).isEqualTo(1);
        assertThat(peer.messages()).isEmpty();
        return queued;
    }

    private static String host(SmtpPeer peer, String name) {
        return name + "[127.0.0.1]:" + peer.port();
    }

    @Test
    void aDomainRuleDoesNotReplaceTheMxRule() throws Exception {
        // domain both.test is level encrypt, which an untrusted certificate meets; mx.both.test is level verify, which it
        // does not: both apply (Sendmail's TLS_Rcpt and TLS_Srv), so the MX gets QUIT and the mail stays queued.
        QueueProbe.Queued queued = assertRefusedAndQueued(bothSides, "bob@both.test");
        assertThat(queued.error).startsWith("4.7.0 " + host(bothSides, "mx.both.test")
            + ": 4.7.0 rule mx mx.both.test: certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
        // The delivery log line names both rules.
        String line = Outbound.await(WAIT, "the delivery log line for mx.both.test", () -> ItLog.read().lines()
            .filter(l -> l.contains("tlsgate outbound") && l.contains(" mx=mx.both.test[")).findFirst());
        assertThat(line).contains("rule=\"domain both.test + mx mx.both.test\"").contains("result=policy-refused");
    }

    @Test
    void aCertificateForAnotherHostGetsQuit() throws Exception {
        assertThat(assertRefusedAndQueued(wrongName, "bob@wrongname.test").error).isEqualTo("4.7.0 " + host(wrongName, "mx.wrongname.test")
            + ": 4.7.0 certificate not trusted: certificate names [other.host.test], not the MX host mx.wrongname.test");
    }

    @Test
    void anExpiredCertificateGetsQuit() throws Exception {
        assertThat(assertRefusedAndQueued(expired, "bob@expired.test").error)
            .startsWith("4.7.0 " + host(expired, "mx.expired.test") + ": 4.7.0 certificate not trusted: certificate expired on ");
    }

    @Test
    void aWeakCipherGetsQuit() throws Exception {
        assertThat(assertRefusedAndQueued(weak, "bob@weak.test").error)
            .isEqualTo("4.7.0 " + host(weak, "mx.weak.test") + ": 4.7.0 encryption too weak: 128 bits, 256 required");
    }

    @Test
    void anOldProtocolGetsQuit() throws Exception {
        assertThat(assertRefusedAndQueued(oldProtocol, "bob@old.test").error)
            .isEqualTo("4.7.0 " + host(oldProtocol, "mx.old.test") + ": 4.7.0 protocol too old: TLSv1.2, TLSv1.3 required");
    }

    @Test
    void aServerWithoutStartTlsGetsQuitInPlaintext() throws Exception {
        submit("bob@plain.test");
        Session session = noStartTls.awaitSessions(1, WAIT).get(0);
        assertThat(session.transcript()).containsExactly("EHLO demo.test", "QUIT");
        QueueProbe.Queued queued = awaitQueued("bob@plain.test");
        assertThat(queued.error).isEqualTo("4.7.0 " + host(noStartTls, "mx.plain.test") + ": 4.7.0 the server does not offer STARTTLS");
    }

    @Test
    void aConnectionDroppedAfterStartTlsIsRetriedLater() throws Exception {
        submit("bob@drop.test");
        Session session = drop.awaitSessions(1, WAIT).get(0);
        assertThat(session.sawMailFrom()).isFalse();
        assertThat(awaitQueued("bob@drop.test").error).startsWith("4.7.0 " + host(drop, "mx.drop.test") + ": 4.7.0 TLS handshake failed");
    }

    @Test
    void aTemporaryRecipientRefusalIsRetriedLater() throws Exception {
        submit("bob@busy.test");
        assertThat(busy.awaitSessions(1, WAIT).get(0).transcript()).contains("[tls] RCPT TO:<bob@busy.test>");
        assertThat(awaitQueued("bob@busy.test").error).contains("450 4.2.0 mailbox busy");
        assertThat(busy.messages()).isEmpty();
    }

    @Test
    void aPermanentRecipientRefusalBouncesToTheSender() throws Exception {
        submit("bob@refusing.test");
        String dsn = awaitDsn("bob@refusing.test");
        assertThat(dsn).contains("550 5.1.1 no such user");
        assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains("bob@refusing.test"));
    }

    @Test
    void aPermanentPolicyBouncesAtOnceWithTheCheckAndTheHost() throws Exception {
        submit("bob@perm.test");
        assertQuitBeforeMailFrom(permanent.awaitSessions(1, WAIT).get(0));
        String dsn = awaitDsn("bob@perm.test");
        assertThat(dsn).contains("Status: 5.7.0 " + host(permanent, "mx.perm.test")
            + ": 5.7.0 certificate not trusted: certificate names [other.host.test], not the MX host mx.perm.test");
        assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains("bob@perm.test"));
        assertThat(permanent.messages()).isEmpty();
    }

    @Test
    void aDestinationThatRequiresOurCertificateGetsIt() {
        String subject = submit("bob@clientcert.test");
        assertThat(needsCertificate.awaitMessages(1, WAIT)).anyMatch(m -> m.text().contains("Subject: " + subject));
        assertThat(needsCertificate.sessions().get(0).handshake().orElseThrow().clientCertificates())
            .first().satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).startsWith("CN=relay.demo.test"));
    }

    @Test
    void whenTheFirstMxFailsThePolicyTheNextOneGetsTheMail() {
        String subject = submit("bob@twomx.test");
        assertThat(secondMx.awaitMessages(1, WAIT)).anyMatch(m -> m.text().contains("Subject: " + subject));
        assertQuitBeforeMailFrom(firstMx.awaitSessions(1, WAIT).get(0));
        assertThat(firstMx.messages()).isEmpty();
    }

    @Test
    void levelMayAcceptsAnyCertificateOverTls() {
        String subject = submit("bob@may.test");
        assertThat(opportunistic.awaitMessages(1, WAIT)).singleElement().satisfies(m -> {
            assertThat(m.text()).contains("Subject: " + subject);
            assertThat(m.tls()).isTrue();
        });
    }

    @Test
    void levelMaySendsInPlaintextWhenStartTlsIsNotOffered() {
        String subject = submit("bob@mayplain.test");
        assertThat(opportunisticPlain.awaitMessages(1, WAIT)).singleElement().satisfies(m -> {
            assertThat(m.text()).contains("Subject: " + subject);
            assertThat(m.tls()).isFalse();
        });
    }

    @Test
    void levelNoneDoesNotEvenTryStartTls() {
        String subject = submit("bob@none.test");
        assertThat(noTls.awaitMessages(1, WAIT)).singleElement().satisfies(m -> {
            assertThat(m.text()).contains("Subject: " + subject);
            assertThat(m.tls()).isFalse();
        });
        assertThat(noTls.sessions().get(0).sawStartTls()).isFalse();
    }

    @Test
    void levelSecureAcceptsACertificateNamingTheRecipientDomain() {
        String subject = submit("bob@secure.test");
        assertThat(secure.awaitMessages(1, WAIT)).anyMatch(m -> m.text().contains("Subject: " + subject) && m.tls());
    }

    @Test
    void levelSecureRefusesACertificateThatNamesOnlyTheMx() throws Exception {
        // Level verify would pass this MX (its certificate names it); secure wants the recipient domain.
        assertThat(assertRefusedAndQueued(secureElsewhere, "bob@elsewhere.test").error).isEqualTo("4.7.0 "
            + host(secureElsewhere, "mx.hosting.test")
            + ": 4.7.0 certificate not trusted: certificate names [mx.hosting.test], not the recipient domain elsewhere.test");
    }

    @Test
    void levelFingerprintAcceptsThePinnedKeyFromAnyCa() {
        String subject = submit("bob@pinned.test");
        assertThat(pinned.awaitMessages(1, WAIT)).anyMatch(m -> m.text().contains("Subject: " + subject) && m.tls());
    }

    @Test
    void aRuleKeyedOnTheMxAddressApplies() {
        // The default (verify) would refuse this certificate from an unknown CA; the rule for 127.0.0.3 is encrypt.
        String subject = submit("bob@addr.test");
        assertThat(byAddress.awaitMessages(1, WAIT)).anyMatch(m -> m.text().contains("Subject: " + subject) && m.tls());
    }

    @Test
    void aRecipientWithARuleOfItsOwnTravelsApart() throws Exception {
        // bob@good.test meets the default; vip@good.test's own rule pins a key the server does not have.
        String subject = "relay " + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-submission"))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(TlsOptions.trusting(ca.certificate()));
            client.command("EHLO client.example");
            assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).code()).isEqualTo(235);
            client.command("MAIL FROM:<" + DemoServer.USER + ">");
            assertThat(client.command("RCPT TO:<bob@good.test>").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<vip@good.test>").code()).isEqualTo(250);
            assertThat(client.command("DATA").code()).isEqualTo(354);
            assertThat(client.command("Subject: " + subject + "\r\n\r\nhello\r\n.").code()).isEqualTo(250);
        }
        QueueProbe.Queued queued = awaitQueued("vip@good.test");
        assertThat(queued.recipients).containsExactly("vip@good.test");
        assertThat(queued.error).startsWith("4.7.0 " + host(good, "mx.good.test") + ": 4.7.0 certificate not trusted: pin mismatch");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (good.messages().stream().noneMatch(m -> m.text().contains("Subject: " + subject)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(good.messages()).filteredOn(m -> m.text().contains("Subject: " + subject)).singleElement()
            .satisfies(m -> assertThat(m.recipients()).containsExactly("bob@good.test"));
    }

    /** The DSN James's bounces processor (DSNBounce) sends back to alice for this recipient. */
    private static String awaitDsn(String recipient) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String message : server.inbox(DemoServer.USER)) {
                if (message.contains("Final-Recipient: rfc822; " + recipient)) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no DSN for " + recipient + " in " + DemoServer.USER + "'s INBOX");
    }
}
