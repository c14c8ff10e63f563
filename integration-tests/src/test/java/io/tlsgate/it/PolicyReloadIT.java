package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * One shared policy file (root tlsgate) read by the MX listener's handler and by the relay mailet, edited while James
 * runs: new sessions and new delivery attempts follow the edit, a session already judged keeps its policy, and a
 * broken edit is refused with the old policy kept and the error logged. Every wait polls for an effect (a log line, a
 * queue entry, a DSN); nothing sleeps for a fixed time.
 */
class PolicyReloadIT {
    private static final String HOST = "127.0.0.1";
    private static final String SENDER = "sender@example.net";
    private static final String QUEUE = "outgoing-tlsgate";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String POLICY_ELEMENT = "<policy>file://conf/tlsgate-policy.xml</policy><reloadInterval>200 ms</reloadInterval>";

    private static final String ENCRYPT = "<default><level>encrypt</level><minCipherBits>128</minCipherBits></default>";
    private static final String VERIFY = "<default><level>verify</level></default>";
    private static final String NO_CERTIFICATE = "454 4.7.0 certificate required, none presented";

    private static final DemoDns DNS = new DemoDns();
    private static final PeerSet PEERS = new PeerSet(DNS);
    private static DemoServer server;
    private static TlsOptions tls;
    private static Path policyFile;
    private static SmtpPeer swing;

    private static String policy(String inbound, String swingFailure) {
        return "<?xml version=\"1.0\"?>\n<tlsgate>\n"
            + "  <inbound>\n    " + inbound + "\n  </inbound>\n"
            + "  <outbound>\n"
            + "    <verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>\n"
            + "    <default><level>verify</level></default>\n"
            + "    <destination domain=\"swing.test\"><level>verify</level><failure>" + swingFailure + "</failure></destination>\n"
            + "  </outbound>\n</tlsgate>\n";
    }

    /** conf-samples' smtpserver.xml with the MX listener's inline rules replaced by the shared file. */
    private static String smtpServerXml() throws IOException {
        String xml = Files.readString(SampleServer.home().resolve("conf-samples/inbound-gate/smtpserver.xml"));
        int mx = xml.indexOf("<jmxName>smtpserver-mx</jmxName>");
        Matcher handler = Pattern.compile("(?s)<handler class=\"io.tlsgate.smtp.InboundTlsGate\">.*?</handler>").matcher(xml);
        assertThat(handler.find(mx)).isTrue();
        return xml.substring(0, handler.start()) + "<handler class=\"io.tlsgate.smtp.InboundTlsGate\">" + POLICY_ELEMENT + "</handler>"
            + xml.substring(handler.end());
    }

    @BeforeAll
    static void start() throws Exception {
        CertificateAuthority foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        server = SampleServer.setup("PolicyReloadIT")
            .smtpServerXml(smtpServerXml())
            .confFile("tlsgate-policy.xml", policy(ENCRYPT, "temporary"))
            .confFile("mailetcontainer.xml", Outbound.mailetContainer("<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">"
                + POLICY_ELEMENT + "<delayTime>1 second</delayTime><maxRetries>50</maxRetries>"
                + "<bounceProcessor>bounces</bounceProcessor></mailet>"))
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        tls = TlsOptions.trusting(server.pki().ca().certificate());
        policyFile = server.workingDirectory().resolve("conf/tlsgate-policy.xml");
        swing = PEERS.mx("swing.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.swing.test", List.of("mx.swing.test"),
            List.of())));
    }

    @AfterAll
    static void stop() {
        PEERS.close();
        if (server != null) {
            server.close();
            // The handler's and the mailet's watchers stop with James (destroy): no thread is left behind.
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("TlsGate-PolicyWatch-") && t.isAlive());
        }
    }

    private static int count(String line) {
        String log = ItLog.read();
        int n = 0;
        for (int i = log.indexOf(line); i >= 0; i = log.indexOf(line, i + 1)) {
            n++;
        }
        return n;
    }

    private static String reloaded(String direction) {
        return "TLS Gate " + direction + " policy reloaded from " + policyFile + ": ";
    }

    private static String refused(String direction) {
        return "TLS Gate " + direction + " policy not reloaded: the edit of " + policyFile
            + " is refused and the policy in force stays: TLS Gate configuration error in " + policyFile;
    }

    /** Writes the file (unless it already says this) and waits for both readers to log the given outcome. */
    private static void edit(String content, String inboundLine, String outboundLine) throws IOException {
        if (Files.readString(policyFile).equals(content)) {
            return;
        }
        int inbound = count(inboundLine);
        int outbound = count(outboundLine);
        Files.writeString(policyFile, content);
        Outbound.await(WAIT, "'" + inboundLine + "' and '" + outboundLine + "' in the log",
            () -> count(inboundLine) > inbound && count(outboundLine) > outbound ? Optional.of(true) : Optional.empty());
    }

    private static void reload(String content) throws IOException {
        edit(content, reloaded("inbound"), reloaded("outbound"));
    }

    private static SmtpClient judged() {
        SmtpClient client = SmtpClient.connect(HOST, server.port("smtpserver-mx"));
        assertThat(client.readReply().code()).isEqualTo(220);
        assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
        assertThat(client.startTls(tls).code()).isEqualTo(220);
        return client;
    }

    /** A new session's reply to its first command after STARTTLS (the command the gate judges). */
    private static String newSessionReply() {
        try (SmtpClient client = judged()) {
            return client.command("EHLO client.example.net").toString().split("\n")[0];
        }
    }

    @Test
    void anEditAppliesToNewSessionsAndASessionUnderWayKeepsItsPolicy() throws Exception {
        reload(policy(ENCRYPT, "temporary"));
        String subject = "kept " + UUID.randomUUID();
        try (SmtpClient before = judged()) {
            assertThat(before.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(before.command("MAIL FROM:<" + SENDER + ">").toString()).isEqualTo("250 2.1.0 Sender <" + SENDER + "> OK");

            reload(policy(VERIFY, "temporary"));
            assertThat(newSessionReply()).isEqualTo(NO_CERTIFICATE);

            // The session judged before the edit carries on to the end of its mail.
            assertThat(before.command("RCPT TO:<" + DemoServer.USER + ">").code()).isEqualTo(250);
            assertThat(before.command("DATA").code()).isEqualTo(354);
            assertThat(before.command("Subject: " + subject + "\r\n\r\nbody\r\n.").toString()).isEqualTo("250 2.6.0 Message received");
        }
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
        assertThat(ItLog.read()).contains("verdict=refuse reason=certificate-missing reply=\"" + NO_CERTIFICATE + "\"");
    }

    @Test
    void aBrokenEditIsRefusedAndTheOldPolicyStaysUntilAFixedOne() throws Exception {
        reload(policy(ENCRYPT, "temporary"));

        edit("<?xml version=\"1.0\"?>\n<tlsgate>\n  <inbound>\n    " + ENCRYPT + "\n  </inbund>\n</tlsgate>\n",
            refused("inbound") + ": is not well-formed XML: line 5, column ", refused("outbound") + ": is not well-formed XML: line 5, column ");
        assertThat(newSessionReply()).startsWith("250");

        edit(policy("<default><level>verified</level></default>", "temporary"),
            refused("inbound") + " <tlsgate> <inbound> <default> <level>: 'verified' is not one of none, encrypt, fingerprint, verify",
            reloaded("outbound"));
        assertThat(newSessionReply()).as("the old rule is still in force").startsWith("250");

        reload(policy(VERIFY, "temporary"));
        assertThat(newSessionReply()).isEqualTo(NO_CERTIFICATE);
    }

    @Test
    void theNextDeliveryAttemptFollowsAnEditedDestinationRule() throws Exception {
        reload(policy(ENCRYPT, "temporary"));
        String subject = "swing " + UUID.randomUUID();
        Outbound.submit(server, server.pki().ca().certificate(), subject, List.of("bob@swing.test"));
        QueueProbe.Queued queued = Outbound.await(WAIT, "a temporary refusal of bob@swing.test", () -> server.queue(QUEUE).stream()
            .filter(q -> q.recipients.contains("bob@swing.test") && q.retries > 0).findFirst());
        assertThat(queued.error).startsWith("4.7.0 mx.swing.test[127.0.0.1]:" + swing.port()
            + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");

        reload(policy(ENCRYPT, "permanent"));
        Dsn dsn = Outbound.await(WAIT, "a DSN for " + subject, () -> Outbound.dsns(server).stream()
            .filter(d -> d.originalSubject.equals(subject)).findFirst());
        assertThat(dsn.recipients).hasSize(1);
        assertThat(dsn.recipients.get(0).address()).isEqualTo("bob@swing.test");
        assertThat(dsn.recipients.get(0).status).startsWith("5.7.0 mx.swing.test[127.0.0.1]:" + swing.port()
            + ": 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere").doesNotContain("giving up");
        assertThat(swing.messages()).isEmpty();
    }
}
