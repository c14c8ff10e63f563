package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * Certificate identity rules, one per client address, on a STARTTLS listener where James requires a client
 * certificate, plus the rules a listener without client certificates can meet. Each row is a real session.
 */
class IdentityRulesIT {
    private static final String IDENTITY_RULES = ""
        + "<default><level>verify</level></default>"
        + "<client peer=\"127.0.0.11\"><subjectCn>mx1.partners.demo.test</subjectCn><failure>permanent</failure></client>"
        + "<client peer=\"127.0.0.12\"><subjectDn>cn=MX1.partners.demo.test,  o=tls gate demo</subjectDn></client>"
        + "<client peer=\"127.0.0.13\"><issuerDn>CN=Other CA,O=Elsewhere</issuerDn><failure>permanent</failure></client>"
        + "<client peer=\"127.0.0.14\"><dnsName match=\"regex\">mx[0-9]+\\.partners\\.demo\\.test</dnsName></client>"
        + "<client peer=\"127.0.0.15\"><subjectCn match=\"glob\">MX?.partners.*</subjectCn>"
        + "<subjectDn match=\"glob\">*,O=TLS Gate Demo</subjectDn></client>"
        + "<client peer=\"127.0.0.16\"><subjectCn>mx.elsewhere.demo.test</subjectCn><subjectCn>mx1.partners.demo.test</subjectCn></client>";

    private static final String PLAIN_RULES = ""
        + "<default><level>verify</level></default>"
        + "<client peer=\"127.0.0.21\"><level>encrypt</level><missingTls>temporary</missingTls></client>";

    private static DemoServer server;
    private static TlsOptions tls;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("IdentityRulesIT")
            .smtpServerXml(GateListener.servers(
                GateListener.listener("smtpserver-identity", IDENTITY_RULES, true),
                GateListener.listener("smtpserver-nocert", PLAIN_RULES, false),
                GateListener.plainListener("smtpserver-notls", "<default><level>encrypt</level></default>")))
            .start();
        tls = TlsOptions.trusting(server.pki().ca().certificate());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String firstReplyAfterTls(String listener, String from, IssuedCertificate certificate) throws Exception {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port(listener), InetAddress.getByName(from))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(certificate == null ? tls : tls.withClientCertificate(certificate));
            return client.command("MAIL FROM:<sender@example.net>").toString();
        }
    }

    private static IssuedCertificate certificate(String which) {
        return which.equals("good") ? server.pki().goodClient() : server.pki().badClient();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.11|good|250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.11|bad |554 5.7.0 certificate identity mismatch: subject CN mx.elsewhere.demo.test does not match mx1.partners.demo.test",
        "127.0.0.12|good|250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.12|bad |454 4.7.0 certificate identity mismatch: subject DN \"CN=mx.elsewhere.demo.test,O=TLS Gate Demo\" does not match cn=MX1.partners.demo.test,  o=tls gate demo",
        "127.0.0.13|good|554 5.7.0 certificate identity mismatch: issuer DN \"CN=TLS Gate Demo CA,O=TLS Gate Demo\" does not match CN=Other CA,O=Elsewhere",
        "127.0.0.14|good|250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.14|bad |454 4.7.0 certificate identity mismatch: subjectAltName DNS name mx.elsewhere.demo.test does not match regex:mx[0-9]+\\.partners\\.demo\\.test",
        "127.0.0.15|good|250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.15|bad |454 4.7.0 certificate identity mismatch: subject CN mx.elsewhere.demo.test does not match glob:MX?.partners.*",
        "127.0.0.16|good|250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.16|bad |250 2.1.0 Sender <sender@example.net> OK",
        "127.0.0.17|bad |250 2.1.0 Sender <sender@example.net> OK",
    })
    void identityRule(String from, String which, String expected) throws Exception {
        assertThat(firstReplyAfterTls("smtpserver-identity", from, certificate(which.trim()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // verify on a listener that never asks for a certificate: nothing can verify.
        "127.0.0.20|true |454 4.7.0 certificate required, none presented",
        // the rule may make a missing STARTTLS a temporary refusal.
        "127.0.0.21|false|454 4.7.0 Must issue a STARTTLS command first",
        "127.0.0.21|true |250 2.1.0 Sender <sender@example.net> OK",
    })
    void rulesOnAListenerWithoutClientCertificates(String from, String startTls, String expected) throws Exception {
        if (Boolean.parseBoolean(startTls.trim())) {
            assertThat(firstReplyAfterTls("smtpserver-nocert", from, null)).isEqualTo(expected);
        } else {
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-nocert"), InetAddress.getByName(from))) {
                client.readReply();
                client.command("EHLO client.example");
                assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo(expected);
            }
        }
    }

    @Test
    void aRuleThatCanNeverPassIsLoggedAsAMistake() throws Exception {
        assertThat(firstReplyAfterTls("smtpserver-nocert", "127.0.0.20", null)).isEqualTo("454 4.7.0 certificate required, none presented");
        assertThat(ItLog.read()).contains("TLS Gate: rule \"default\" requires a client certificate but this listener does not ask for one");

        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-notls"))) {
            client.readReply();
            client.command("EHLO client.example");
            assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        }
        assertThat(ItLog.read()).contains("TLS Gate: rule \"default\" requires TLS but this listener offers no STARTTLS");
    }
}
