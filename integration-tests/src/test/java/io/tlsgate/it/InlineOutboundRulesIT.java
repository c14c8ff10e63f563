package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * Outbound rules written inline in the relay mailet's element of mailetcontainer.xml (no policy file), in a real
 * James. Two relay mailets hold rules of the same shape (verification, default, one destination) with different
 * values: James hands each only a flattened copy, so each must find and read its own element.
 */
class InlineOutboundRulesIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STRICT_QUEUE = "outgoing-tlsgate";
    private static final String LAX_QUEUE = "outgoing-lax";

    /** Domains the lax mailet relays: opportunistic by default, but 256-bit ciphers for strictlax.test. */
    private static final String LAX_MAILET = "<mailet match=\"HostIs=lax.test,strictlax.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">\n"
        + "  <verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>\n"
        + "  <default><level>may</level></default>\n"
        + "  <destination domain=\"strictlax.test\"><level>encrypt</level><minCipherBits>256</minCipherBits></destination>\n"
        + "  <outgoing>" + LAX_QUEUE + "</outgoing>\n"
        + "  <delayTime>10 minutes</delayTime><maxRetries>3</maxRetries><bounceProcessor>bounces</bounceProcessor>\n"
        + "</mailet>\n";
    /** Everything else: verified, and a permanent refusal for perm.test. */
    private static final String STRICT_MAILET = "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">\n"
        + "  <verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>\n"
        + "  <default><level>verify</level><minProtocol>TLSv1.2</minProtocol></default>\n"
        + "  <destination domain=\"perm.test\"><level>verify</level><failure>permanent</failure></destination>\n"
        + "  <delayTime>10 minutes, 1 hour, 4 hours</delayTime><maxRetries>3</maxRetries><maxDnsProblemRetries>0</maxDnsProblemRetries>\n"
        + "  <sendpartial>true</sendpartial><bounceProcessor>bounces</bounceProcessor>\n"
        + "</mailet>\n";

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static final CertificateAuthority FOREIGN = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
    private static DemoServer server;
    private static CertificateAuthority ca;

    private static SmtpPeer good;
    private static SmtpPeer untrusted;
    private static SmtpPeer permanent;
    private static SmtpPeer lax;
    private static SmtpPeer strictLax;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("InlineOutboundRulesIT")
            .confFile("mailetcontainer.xml", Outbound.mailetContainer(LAX_MAILET + STRICT_MAILET))
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        good = PEERS.mx("good.test", SmtpPeer.builder().certificate(trusted("mx.good.test")));
        untrusted = PEERS.mx("untrusted.test", SmtpPeer.builder().certificate(foreign("mx.untrusted.test")));
        permanent = PEERS.mx("perm.test", SmtpPeer.builder().certificate(trusted("other.host.test")));
        lax = PEERS.mx("lax.test", SmtpPeer.builder().certificate(foreign("mx.lax.test")));
        strictLax = PEERS.mx("strictlax.test", SmtpPeer.builder().certificate(trusted("mx.strictlax.test"))
            .enabledProtocols("TLSv1.3").enabledCipherSuites("TLS_AES_128_GCM_SHA256"));
    }

    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
        }
    }

    private static IssuedCertificate trusted(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }

    private static IssuedCertificate foreign(String name) {
        return FOREIGN.issueServer(name, List.of(name), List.of());
    }

    private static String submit(String recipient) {
        String subject = "inline " + UUID.randomUUID();
        Outbound.submit(server, ca.certificate(), subject, List.of(recipient));
        return subject;
    }

    private static void assertDelivered(SmtpPeer peer, String subject) {
        assertThat(peer.awaitMessages(1, WAIT)).anySatisfy(m -> {
            assertThat(m.text()).contains("Subject: " + subject);
            assertThat(m.tls()).isTrue();
        });
    }

    private static void assertQuitBeforeMailFrom(Session session) {
        assertThat(session.transcript()).as(session.toString()).contains("STARTTLS").endsWith("[tls] QUIT");
        assertThat(session.sawMailFrom()).as(session.toString()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
    }

    private static QueueProbe.Queued awaitQueued(String queue, String recipient) {
        return Outbound.await(WAIT, recipient + " queued for a retry in " + queue, () -> server.queue(queue).stream()
            .filter(q -> q.recipients.contains(recipient) && q.retries > 0).findFirst());
    }

    private static String host(SmtpPeer peer, String name) {
        return name + "[127.0.0.1]:" + peer.port();
    }

    @Test
    void aVerifiedPeerGetsTheMail() {
        assertDelivered(good, submit("bob@good.test"));
    }

    @Test
    void anUntrustedPeerGetsQuitBeforeMailFromAndTheMailStaysQueued() {
        submit("bob@untrusted.test");
        assertQuitBeforeMailFrom(untrusted.awaitSessions(1, WAIT).get(0));
        QueueProbe.Queued queued = awaitQueued(STRICT_QUEUE, "bob@untrusted.test");
        assertThat(queued.retries).isEqualTo(1);
        assertThat(queued.error).startsWith("4.7.0 " + host(untrusted, "mx.untrusted.test")
            + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
        assertThat(untrusted.messages()).isEmpty();
    }

    @Test
    void aPermanentDestinationRuleBounces() {
        submit("bob@perm.test");
        assertQuitBeforeMailFrom(permanent.awaitSessions(1, WAIT).get(0));
        String dsn = Outbound.await(WAIT, "a DSN for bob@perm.test", () -> server.inbox(DemoServer.USER).stream()
            .filter(m -> m.contains("Final-Recipient: rfc822; bob@perm.test")).findFirst());
        assertThat(dsn).contains("Status: 5.7.0 " + host(permanent, "mx.perm.test")
            + ": 5.7.0 certificate not trusted: certificate names [other.host.test], not the MX host mx.perm.test");
        assertThat(server.queue(STRICT_QUEUE)).noneMatch(q -> q.recipients.contains("bob@perm.test"));
        assertThat(permanent.messages()).isEmpty();
    }

    /** The lax mailet's default (may) delivers where the strict one's (verify) would refuse. */
    @Test
    void theOtherMailetAppliesItsOwnDefault() {
        assertDelivered(lax, submit("bob@lax.test"));
        assertThat(server.queue(LAX_QUEUE)).noneMatch(q -> q.recipients.contains("bob@lax.test"));
    }

    /** The lax mailet's destination rule (256 bits) refuses what the strict one's default would accept. */
    @Test
    void theOtherMailetAppliesItsOwnDestinationRule() {
        submit("bob@strictlax.test");
        assertQuitBeforeMailFrom(strictLax.awaitSessions(1, WAIT).get(0));
        QueueProbe.Queued queued = awaitQueued(LAX_QUEUE, "bob@strictlax.test");
        assertThat(queued.error).isEqualTo("4.7.0 " + host(strictLax, "mx.strictlax.test")
            + ": 4.7.0 encryption too weak: 128 bits, 256 required");
        assertThat(server.queue(STRICT_QUEUE)).noneMatch(q -> q.recipients.contains("bob@strictlax.test"));
        assertThat(strictLax.messages()).isEmpty();
    }
}
