package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * Per-client rules found in Sendmail's order on a real James: the forward-confirmed host name and its parent
 * domains first, then the address and its shorter prefixes, then the default.
 */
class ClientNameRulesIT {
    private static final String HANDLER = ""
        + "<default><level>encrypt</level><failure>permanent</failure></default>"
        // Partner MTAs must use TLS 1.3: the rule is found through the client's confirmed name.
        + "<client peer=\"partner.test\"><minProtocol>TLSv1.3</minProtocol><failure>permanent</failure></client>"
        // A local block may send in plaintext (Sendmail prefix form and CIDR both name blocks).
        + "<client peer=\"127.0.0.0/29\"><level>none</level></client>";

    private static DemoServer server;
    private static int port;
    private static TlsOptions tls;

    @BeforeAll
    static void start() throws Exception {
        DemoDns dns = new DemoDns()
            .ptr("127.0.0.3", "mx.partner.test").a("mx.partner.test", "127.0.0.3")
            .ptr("127.0.0.6", "relay.eu.partner.test").a("relay.eu.partner.test", "127.0.0.6")
            // A PTR that claims the partner's domain but whose name does not resolve back: must be ignored.
            .ptr("127.0.0.4", "forged.partner.test").a("forged.partner.test", "192.0.2.99");
        server = SampleServer.setup("ClientNameRulesIT")
            .smtpServerXml(GateListener.xml("smtpserver-names", HANDLER))
            .override(binder -> binder.bind(DNSService.class).toInstance(dns))
            .start();
        port = server.port("smtpserver-names");
        tls = TlsOptions.trusting(server.pki().ca().certificate());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The last line of the reply to the first command after a TLS 1.2 handshake. */
    private static String tls12FirstReply(String from) throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port, InetAddress.getByName(from))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(tls.withProtocols("TLSv1.2"));
            return client.command("MAIL FROM:<sender@example.net>").toString();
        }
    }

    private static String plaintextMail(String from) throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", port, InetAddress.getByName(from))) {
            client.readReply();
            client.command("EHLO client.example");
            return client.command("MAIL FROM:<sender@example.net>").toString();
        }
    }

    @Test
    void aConfirmedNameSelectsTheRuleOfItsDomainBeforeTheAddressBlock() throws Exception {
        assertThat(tls12FirstReply("127.0.0.3")).isEqualTo("554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required");
        assertThat(log()).contains("peer=127.0.0.3 name=mx.partner.test rule=\"host partner.test\"");
    }

    @Test
    void parentDomainsAreSearched() throws Exception {
        assertThat(tls12FirstReply("127.0.0.6")).isEqualTo("554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required");
    }

    @Test
    void anUnconfirmedNameIsIgnoredAndTheAddressRuleApplies() throws Exception {
        assertThat(plaintextMail("127.0.0.4")).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
        assertThat(log()).contains("Ignoring PTR name forged.partner.test of 127.0.0.4: it does not resolve back to that address");
    }

    @Test
    void withoutANameTheAddressBlockApplies() throws Exception {
        assertThat(plaintextMail("127.0.0.5")).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
    }

    @Test
    void outsideEveryEntryTheDefaultApplies() throws Exception {
        assertThat(plaintextMail("127.0.0.9")).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        assertThat(tls12FirstReply("127.0.0.9")).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
    }

    private static String log() {
        return ItLog.read();
    }
}
