package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.CertificateAuthority;

/**
 * Connection reuse against a real Postfix as the receiving MTA: two mails for one destination go over one verified
 * TLS connection (one STARTTLS, RSET between the transactions), which the relay closes with QUIT once it has carried
 * its limit of two messages. What Postfix saw is read from its mail log: its connect and disconnect lines, the latter
 * with its count of each command.
 */
class PostfixConnectionReuseIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RECEIVER = "reuse";
    private static final String DOMAIN = "reuse.postfix.test";
    private static final String MX = "mx." + DOMAIN;
    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "</outbound>\n";
    private static final String RELAY = "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">"
        + "<policy>file://conf/tlsgate-outbound.xml</policy><bounceProcessor>bounces</bounceProcessor>"
        + "<connectionReuse>true</connectionReuse><connectionReuseLimit>2</connectionReuseLimit>"
        + "<connectionReuseIdleTime>30 seconds</connectionReuseIdleTime></mailet>";

    private static final DemoDns DNS = new DemoDns();
    private static DemoServer server;
    private static PostfixPeer postfix;
    private static CertificateAuthority ca;

    @BeforeAll
    static void start() throws Exception {
        PostfixPeer.requireInstalled();
        server = SampleServer.setup("PostfixConnectionReuseIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .confFile("mailetcontainer.xml", Outbound.mailetContainer(RELAY))
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        // Postfix's socket paths must fit in 108 bytes: a short directory under /tmp.
        postfix = PostfixPeer.builder(Files.createTempDirectory(Path.of("/tmp"), "tgcr"))
            .receiver(RECEIVER, MX, ca.issueServer(MX, List.of(MX), List.of()))
            .mailbox("bob@" + DOMAIN)
            .mailbox("carol@" + DOMAIN)
            .start();
        DNS.mx(DOMAIN, MX + ":" + postfix.receiverPort(RECEIVER)).a(MX, "127.0.0.1");
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
    void twoMailsGoOverOneTlsConnectionToPostfix() throws Exception {
        String first = "reuse " + UUID.randomUUID();
        Outbound.submit(server, ca.certificate(), first, List.of("bob@" + DOMAIN));
        postfix.awaitMessage("bob@" + DOMAIN, first, WAIT);
        String second = "reuse " + UUID.randomUUID();
        Outbound.submit(server, ca.certificate(), second, List.of("carol@" + DOMAIN));
        postfix.awaitMessage("carol@" + DOMAIN, second, WAIT);

        String prefix = postfix.receiver(RECEIVER).logPrefix();
        String disconnect = postfix.awaitLogLine(l -> l.contains(prefix) && l.contains(" disconnect from "), WAIT)
            .orElseThrow(() -> new AssertionError("no disconnect line\n--- mail log:\n" + postfix.mailLog()));
        assertThat(disconnect).endsWith(" disconnect from unknown[127.0.0.1] ehlo=2 starttls=1 mail=2 rcpt=2 data=2 rset=1 quit=1"
            + " commands=11");
        List<String> lines = postfix.mailLog().lines().filter(l -> l.contains(prefix)).collect(Collectors.toList());
        assertThat(lines.stream().filter(l -> l.contains(" connect from "))).as(postfix.mailLog()).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains(" TLS connection established from "))).as(postfix.mailLog()).hasSize(1);
        assertThat(postfix.messages("bob@" + DOMAIN)).hasSize(1);
        assertThat(postfix.messages("carol@" + DOMAIN)).hasSize(1);
        assertThat(server.inbox(DemoServer.USER)).isEmpty();
    }
}
