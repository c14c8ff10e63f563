package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoPeers;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.WebAdminAccess;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * TLS Gate's WebAdmin routes, metrics and MBean on a real James booted from conf-samples/inbound-gate (WebAdmin on,
 * JWT authentication on), over HTTP with a signed admin token, after real SMTP sessions and deliveries to the demo's
 * TLS peers. Policy files are reloaded only on request here (the sample's watcher interval set to 0), so each
 * reload answer is exact.
 */
class AdminRoutesIT {
    private static final String HOST = "127.0.0.1";
    private static final String SENDER = "sender@example.net";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DemoServer server;
    private static DemoPeers peers;
    private static WebAdminAccess web;
    private static TlsOptions tls;

    @BeforeAll
    static void start() throws Exception {
        DemoDns dns = new DemoDns();
        String smtpServerXml = Files.readString(SampleServer.home().resolve("conf-samples/inbound-gate/smtpserver.xml"))
            .replace("<reloadInterval>2 seconds</reloadInterval>", "<reloadInterval>0</reloadInterval>");
        server = SampleServer.setup("AdminRoutesIT").smtpServerXml(smtpServerXml)
            .override(binder -> binder.bind(DNSService.class).toInstance(dns)).start();
        peers = DemoPeers.start(server.pki(), dns);
        web = server.webAdmin().orElseThrow();
        tls = TlsOptions.trusting(server.pki().ca().certificate());
    }

    @AfterAll
    static void stop() {
        if (peers != null) {
            peers.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode json(WebAdminAccess.Answer answer) throws Exception {
        return JSON.readTree(answer.body);
    }

    private static void assertError(WebAdminAccess.Answer answer, int status, String type, String message) throws Exception {
        assertThat(answer.status).as(answer.body).isEqualTo(status);
        JsonNode error = json(answer);
        assertThat(error.get("statusCode").asInt()).isEqualTo(status);
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("message").asText()).isEqualTo(message);
    }

    /** The count of a TLS Gate counter as Prometheus text at WebAdmin /metrics shows it (0 before its first use). */
    private static long counter(String name) throws Exception {
        WebAdminAccess.Answer metrics = web.send("GET", "/metrics", false);
        assertThat(metrics.status).isEqualTo(200);
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name.replace('.', '_')) + "_total ([0-9.E]+)$").matcher(metrics.body);
        return value.find() ? (long) Double.parseDouble(value.group(1)) : 0;
    }

    private static SmtpClient plain(int port) {
        SmtpClient client = SmtpClient.connect(HOST, port);
        assertThat(client.readReply().code()).isEqualTo(220);
        assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
        return client;
    }

    @Test
    void everyRouteRefusesARequestWithoutToken() throws Exception {
        for (String[] route : new String[][] {{"GET", "/tlsgate/policies"}, {"GET", "/tlsgate/inbound/effective?address=192.0.2.7"},
            {"GET", "/tlsgate/outbound/effective?domain=example.com"}, {"POST", "/tlsgate/probe?domain=peer.demo.test"},
            {"POST", "/tlsgate/reload"}, {"GET", "/tlsgate/refusals"}}) {
            WebAdminAccess.Answer answer = web.send(route[0], route[1], false);
            assertThat(answer.status).as(route[0] + " " + route[1]).isEqualTo(401);
        }
    }

    @Test
    void policiesListsEveryListenerAndTheRelay() throws Exception {
        WebAdminAccess.Answer answer = web.get("/tlsgate/policies");
        assertThat(answer.status).isEqualTo(200);
        JsonNode policies = json(answer);
        assertThat(policies).hasSize(5);
        JsonNode mx = policies.get(0);
        assertThat(mx.get("name").asText()).isEqualTo("smtpserver-mx");
        assertThat(mx.get("direction").asText()).isEqualTo("inbound");
        assertThat(mx.get("source").asText()).isEqualTo(server.workingDirectory().resolve("conf/tlsgate-policy.xml").toString());
        assertThat(mx.get("reloadable").asBoolean()).isTrue();
        assertThat(mx.get("loadedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(mx.get("summary").asText()).startsWith("default rule level=encrypt minCipherBits=128 minProtocol=TLSv1.2");
        assertThat(policies.findValuesAsText("name"))
            .containsExactly("smtpserver-mx", "smtpserver-submission", "smtpserver-partners", "tlsgate-mx", "outgoing-tlsgate");
        assertThat(policies.get(1).get("source").asText()).isEqualTo("inline");
        assertThat(policies.get(4).get("direction").asText()).isEqualTo("outbound");
    }

    @Test
    void effectiveInboundNamesTheMatchedEntryAndTheRequirement() throws Exception {
        WebAdminAccess.Answer answer = web.get("/tlsgate/inbound/effective?address=192.0.2.7&listener=smtpserver-mx&helo=client.example");
        assertThat(answer.status).as(answer.body).isEqualTo(200);
        JsonNode view = json(answer);
        assertThat(view.at("/client/helo").asText()).isEqualTo("client.example");
        assertThat(view.get("policies")).hasSize(1);
        JsonNode mx = view.get("policies").get(0);
        assertThat(mx.get("listener").asText()).isEqualTo("smtpserver-mx");
        assertThat(mx.at("/matched/entry").asText()).isEqualTo("default");
        assertThat(mx.at("/requirement/level").asText()).isEqualTo("encrypt");
        assertThat(mx.at("/requirement/tlsRequired").asBoolean()).isTrue();
        assertThat(mx.at("/requirement/certificateRequired").asBoolean()).isFalse();
        assertThat(mx.at("/requirement/minCipherBits").asInt()).isEqualTo(128);
        assertThat(mx.at("/requirement/minProtocol").asText()).isEqualTo("TLSv1.2");
        assertThat(mx.at("/requirement/failure").asText()).isEqualTo("temporary");

        JsonNode all = json(web.get("/tlsgate/inbound/effective?address=127.0.0.1"));
        assertThat(all.get("policies").findValuesAsText("listener"))
            .containsExactly("smtpserver-mx", "smtpserver-submission", "smtpserver-partners", "tlsgate-mx");
    }

    @Test
    void effectiveOutboundGivesBothSidesAndTheCombinedRequirement() throws Exception {
        WebAdminAccess.Answer answer = web.get("/tlsgate/outbound/effective?domain=perm.peer.demo.test&mx=mx.perm.peer.demo.test");
        assertThat(answer.status).as(answer.body).isEqualTo(200);
        JsonNode relay = json(answer).get("policies").get(0);
        assertThat(relay.get("mailet").asText()).isEqualTo("outgoing-tlsgate");
        assertThat(relay.at("/recipientSide/entry").asText()).isEqualTo("domain perm.peer.demo.test");
        assertThat(relay.at("/recipientSide/requirement/failure").asText()).isEqualTo("permanent");
        assertThat(relay.at("/recipientSide/requirement/verify").asBoolean()).isTrue();
        assertThat(relay.get("serverSide").isNull()).isTrue();
        assertThat(relay.at("/combined/rules").asText()).isEqualTo("domain perm.peer.demo.test");
        assertThat(relay.at("/combined/tlsRequired").asBoolean()).isTrue();

        JsonNode byDefault = json(web.get("/tlsgate/outbound/effective?recipient=bob@elsewhere.example")).get("policies").get(0);
        assertThat(byDefault.at("/applying/0/entry").asText()).isEqualTo("default");
        assertThat(byDefault.at("/combined/rules").asText()).isEqualTo("default");
    }

    @Test
    void badInputIs400WithAMessageAndUnknownNamesAre404() throws Exception {
        assertError(web.get("/tlsgate/inbound/effective"), 400, "InvalidArgument", "address is missing");
        assertError(web.get("/tlsgate/inbound/effective?address=mx.example.com"), 400, "InvalidArgument",
            "address 'mx.example.com' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)");
        assertError(web.get("/tlsgate/inbound/effective?address=192.0.2.7&host=bad_host..name"), 400, "InvalidArgument",
            "host 'bad_host..name' is not a domain name");
        assertError(web.get("/tlsgate/inbound/effective?address=192.0.2.7&listener=nosuch"), 404, "notFound",
            "no listener with the TLS Gate handler is named 'nosuch'; known: [smtpserver-mx, smtpserver-submission,"
                + " smtpserver-partners, tlsgate-mx]");
        assertError(web.get("/tlsgate/outbound/effective?recipient=a@b.example&domain=b.example"), 400, "InvalidArgument",
            "give either recipient or domain, not both");
        assertError(web.get("/tlsgate/outbound/effective"), 400, "InvalidArgument",
            "recipient or domain is missing: give the recipient address, or its domain");
        assertError(web.get("/tlsgate/outbound/effective?domain=example.com&mxAddress=300.1.1.1"), 400, "InvalidArgument",
            "mxAddress '300.1.1.1' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)");
        assertError(web.get("/tlsgate/outbound/effective?domain=example.com&mailet=nosuch"), 404, "notFound",
            "no TLS Gate relay mailet is named 'nosuch'; known: [outgoing-tlsgate]");
        assertError(web.get("/tlsgate/refusals?limit=0"), 400, "InvalidArgument", "limit '0' is not a number from 1 to 100");
        assertError(web.get("/tlsgate/refusals?limit=ten"), 400, "InvalidArgument", "limit 'ten' is not a number from 1 to 100");
        assertError(web.post("/tlsgate/probe?host=peer.demo.test&port=70000"), 400, "InvalidArgument",
            "port 70000 is out of range: give 1 to 65535");
        assertError(web.post("/tlsgate/probe?domain=peer.demo.test&host=peer.demo.test"), 400, "InvalidArgument",
            "give either domain or host, not both");
        assertError(web.post("/tlsgate/probe?domain=peer.demo.test&mailet=nosuch"), 404, "notFound",
            "no TLS Gate relay mailet is named 'nosuch'; known: [outgoing-tlsgate]");
    }

    @Test
    void refusedSessionsAreListedNewestFirstAndCounted() throws Exception {
        long missing = counter("tlsgate.inbound.permfail.tls_missing");
        long permfail = counter("tlsgate.inbound.permfail");
        long weak = counter("tlsgate.inbound.tempfail.cipher_too_weak");
        long accepted = counter("tlsgate.inbound.accepted");
        try (SmtpClient client = plain(server.port("smtpserver-mx"))) {
            assertThat(client.command("MAIL FROM:<" + SENDER + ">").toString()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        }
        try (SmtpClient client = plain(server.port("smtpserver-mx"))) {
            assertThat(client.startTls(tls.withProtocols("TLSv1.2").withCipherSuites("SSL_RSA_WITH_3DES_EDE_CBC_SHA")).code()).isEqualTo(220);
            assertThat(client.command("EHLO weak.example.net").toString()).isEqualTo("454 4.7.0 encryption too weak: 112 bits, 128 required");
        }
        String subject = "admin accepted " + UUID.randomUUID();
        try (SmtpClient client = plain(server.port("smtpserver-mx"))) {
            assertThat(client.startTls(tls).code()).isEqualTo(220);
            assertThat(client.command("EHLO good.example.net").code()).isEqualTo(250);
            assertThat(client.sendMail(SENDER, DemoServer.USER, subject).toString()).isEqualTo("250 2.6.0 Message received");
        }

        WebAdminAccess.Answer answer = web.get("/tlsgate/refusals?limit=2");
        assertThat(answer.status).as(answer.body).isEqualTo(200);
        JsonNode refusals = json(answer);
        assertThat(refusals).hasSize(2);
        JsonNode newest = refusals.get(0);
        assertThat(newest.get("direction").asText()).isEqualTo("inbound");
        assertThat(newest.get("where").asText()).isEqualTo("smtpserver-mx");
        assertThat(newest.at("/peer/address").asText()).isEqualTo("127.0.0.1");
        // Judged at the first command after the handshake, before James takes that EHLO: the HELO known is the earlier one.
        assertThat(newest.at("/peer/helo").asText()).isEqualTo("client.example.net");
        assertThat(newest.get("rule").asText()).isEqualTo("default");
        assertThat(newest.get("verdict").asText()).isEqualTo("tempfail");
        assertThat(newest.get("reason").asText()).isEqualTo("cipher-too-weak");
        assertThat(newest.get("reply").asText()).isEqualTo("454");
        assertThat(newest.get("enhancedStatus").asText()).isEqualTo("4.7.0");
        assertThat(newest.get("text").asText()).isEqualTo("encryption too weak: 112 bits, 128 required");
        assertThat(newest.get("time").asText()).endsWith("Z");
        JsonNode older = refusals.get(1);
        assertThat(older.get("reason").asText()).isEqualTo("tls-missing");
        assertThat(older.get("reply").asText() + " " + older.get("enhancedStatus").asText() + " " + older.get("text").asText())
            .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        assertThat(older.at("/peer/helo").asText()).isEqualTo("client.example.net");

        assertThat(counter("tlsgate.inbound.permfail.tls_missing")).isEqualTo(missing + 1);
        assertThat(counter("tlsgate.inbound.permfail")).isEqualTo(permfail + 1);
        assertThat(counter("tlsgate.inbound.tempfail.cipher_too_weak")).isEqualTo(weak + 1);
        assertThat(counter("tlsgate.inbound.accepted")).isEqualTo(accepted + 1);
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains(subject);
    }

    @Test
    void aPlaintextDeliveryARuleAllowsIsJudgedAndCounted() throws Exception {
        // conf/sendmail-access: Try_TLS:mx.sendmail.peer.demo.test NO, so bob's mail goes in plaintext by rule.
        long accepted = counter("tlsgate.outbound.accepted");
        assertThat(submit("bob@" + DemoPeers.SENDMAIL)).isEqualTo("250 2.6.0 Message received");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (counter("tlsgate.outbound.accepted") == accepted && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(counter("tlsgate.outbound.accepted")).isEqualTo(accepted + 1);
    }

    @Test
    void outboundVerdictsAreCountedAndARefusedMxIsListed() throws Exception {
        long delivered = counter("tlsgate.outbound.accepted");
        long untrusted = counter("tlsgate.outbound.tempfail.certificate_untrusted");
        assertThat(submit("bob@" + DemoPeers.GOOD)).isEqualTo("250 2.6.0 Message received");
        assertThat(submit("bob@" + DemoPeers.UNTRUSTED)).isEqualTo("250 2.6.0 Message received");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((counter("tlsgate.outbound.accepted") == delivered || counter("tlsgate.outbound.tempfail.certificate_untrusted") == untrusted)
            && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(counter("tlsgate.outbound.accepted")).isEqualTo(delivered + 1);
        assertThat(counter("tlsgate.outbound.tempfail.certificate_untrusted")).isEqualTo(untrusted + 1);
        JsonNode refusals = json(web.get("/tlsgate/refusals"));
        JsonNode outbound = null;
        for (JsonNode refusal : refusals) {
            if (refusal.get("direction").asText().equals("outbound")) {
                outbound = refusal;
                break;
            }
        }
        assertThat(outbound).as(refusals.toString()).isNotNull();
        assertThat(outbound.get("where").asText()).isEqualTo("outgoing-tlsgate");
        assertThat(outbound.at("/peer/recipientDomain").asText()).isEqualTo(DemoPeers.UNTRUSTED);
        assertThat(outbound.at("/peer/mx").asText()).isEqualTo("mx." + DemoPeers.UNTRUSTED);
        assertThat(outbound.get("reason").asText()).isEqualTo("certificate-untrusted");
        assertThat(outbound.get("verdict").asText()).isEqualTo("tempfail");
    }

    private static String submit(String recipient) {
        try (SmtpClient client = plain(server.port("smtpserver-submission"))) {
            assertThat(client.startTls(tls).code()).isEqualTo(220);
            client.command("EHLO client.example.net");
            assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).code()).isEqualTo(235);
            Reply reply = client.sendMail(DemoServer.USER, recipient, "admin relay " + UUID.randomUUID());
            return reply.toString();
        }
    }

    @Test
    void verificationIsTimed() throws Exception {
        assertThat(submit("carol@" + DemoPeers.GOOD)).isEqualTo("250 2.6.0 Message received");
        long deadline = System.nanoTime() + 30_000_000_000L;
        String metrics;
        do {
            metrics = web.send("GET", "/metrics", false).body;
        } while (!metrics.contains("tlsgate_verification_count") && System.nanoTime() < deadline && pause());
        assertThat(metrics).containsPattern("(?m)^tlsgate_verification_count [1-9]");
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    @Test
    void probeJudgesThePeerUnderTheRelayPolicy() throws Exception {
        WebAdminAccess.Answer passing = web.post("/tlsgate/probe?domain=" + DemoPeers.GOOD);
        assertThat(passing.status).as(passing.body).isEqualTo(200);
        JsonNode report = json(passing);
        assertThat(report.get("mailet").asText()).isEqualTo("outgoing-tlsgate");
        JsonNode host = report.get("hosts").get(0);
        assertThat(host.get("host").asText()).isEqualTo("mx." + DemoPeers.GOOD);
        assertThat(host.get("connected").asBoolean()).isTrue();
        assertThat(host.get("startTlsOffered").asBoolean()).isTrue();
        assertThat(host.at("/tls/protocol").asText()).startsWith("TLSv1.");
        assertThat(host.at("/tls/chain/0/subject").asText()).contains("mx." + DemoPeers.GOOD);
        assertThat(host.at("/verdict/accepted").asBoolean()).as(passing.body).isTrue();

        WebAdminAccess.Answer failing = web.post("/tlsgate/probe?domain=" + DemoPeers.UNTRUSTED);
        assertThat(failing.status).as(failing.body).isEqualTo(200);
        JsonNode refused = json(failing).get("hosts").get(0);
        assertThat(refused.get("connected").asBoolean()).isTrue();
        assertThat(refused.at("/verdict/accepted").asBoolean()).as(failing.body).isFalse();
        assertThat(refused.at("/verdict/reason").asText()).as(failing.body).isEqualTo("certificate-untrusted");
        assertThat(refused.at("/verdict/replyCode").asText()).isEqualTo("454");
        assertThat(refused.at("/verdict/enhancedStatus").asText()).isEqualTo("4.7.0");
        assertThat(web.send("GET", "/metrics", false).body).containsPattern("(?m)^tlsgate_probe_count [2-9]");
    }

    @Test
    void reloadRefusesABrokenEditKeepingThePolicyAndTakesAGoodOne() throws Exception {
        Path policy = server.workingDirectory().resolve("conf/tlsgate-policy.xml");
        String original = Files.readString(policy);
        try {
            WebAdminAccess.Answer unchanged = web.post("/tlsgate/reload");
            assertThat(unchanged.status).as(unchanged.body).isEqualTo(200);
            assertThat(json(unchanged).get("policies").get(0).get("status").asText()).isEqualTo("unchanged");

            Files.writeString(policy, original.replaceFirst("<minCipherBits>128</minCipherBits>", "<minCipherBits>lots</minCipherBits>"));
            WebAdminAccess.Answer refused = web.post("/tlsgate/reload");
            assertThat(refused.status).as(refused.body).isEqualTo(422);
            JsonNode mx = json(refused).get("policies").get(0);
            assertThat(mx.get("name").asText()).isEqualTo("smtpserver-mx");
            assertThat(mx.get("status").asText()).isEqualTo("refused");
            assertThat(mx.get("message").asText()).contains("<minCipherBits>").contains("lots");
            assertThat(json(refused).get("policies").get(1).get("status").asText()).isEqualTo("unchanged");
            assertThat(json(web.get("/tlsgate/inbound/effective?address=192.0.2.7&listener=smtpserver-mx"))
                .at("/policies/0/requirement/minCipherBits").asInt()).as("old policy kept").isEqualTo(128);

            Files.writeString(policy, original.replaceFirst("<minCipherBits>128</minCipherBits>", "<minCipherBits>256</minCipherBits>"));
            WebAdminAccess.Answer reloaded = web.post("/tlsgate/reload");
            assertThat(reloaded.status).as(reloaded.body).isEqualTo(200);
            assertThat(json(reloaded).get("policies").get(0).get("status").asText()).isEqualTo("reloaded");
            assertThat(json(web.get("/tlsgate/inbound/effective?address=192.0.2.7&listener=smtpserver-mx"))
                .at("/policies/0/requirement/minCipherBits").asInt()).isEqualTo(256);
        } finally {
            Files.writeString(policy, original);
            assertThat(web.post("/tlsgate/reload").status).isEqualTo(200);
        }
    }

    @Test
    void theMBeanShowsTheSameViewsAndReloads() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.tlsgate:type=TlsGate");
        String[] policies = (String[]) jmx.getAttribute(name, "Policies");
        assertThat(policies).hasSize(5);
        assertThat(policies[0]).startsWith("smtpserver-mx (inbound) source=" + server.workingDirectory().resolve("conf/tlsgate-policy.xml"));
        String inbound = (String) jmx.invoke(name, "effectiveInbound", new Object[] {"192.0.2.7", "", "", "smtpserver-mx"},
            new String[] {String.class.getName(), String.class.getName(), String.class.getName(), String.class.getName()});
        assertThat(JSON.readTree(inbound).at("/policies/0/matched/entry").asText()).isEqualTo("default");
        String outbound = (String) jmx.invoke(name, "effectiveOutbound", new Object[] {"", "perm.peer.demo.test", "", "", ""},
            new String[] {String.class.getName(), String.class.getName(), String.class.getName(), String.class.getName(), String.class.getName()});
        assertThat(JSON.readTree(outbound).at("/policies/0/recipientSide/entry").asText()).isEqualTo("domain perm.peer.demo.test");
        String[] reload = (String[]) jmx.invoke(name, "reload", new Object[0], new String[0]);
        assertThat(reload).contains("smtpserver-mx (inbound): unchanged",
            "smtpserver-submission (inbound): unchanged: inline rules are read once, at start-up");
        try (SmtpClient client = plain(server.port("smtpserver-mx"))) {
            assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").code()).isEqualTo(530);
        }
        String[] refusals = (String[]) jmx.getAttribute(name, "RecentRefusals");
        assertThat(refusals[0]).contains(" inbound smtpserver-mx address=127.0.0.1").contains("reason=tls-missing")
            .endsWith("reply=\"530 5.7.0 Must issue a STARTTLS command first\"");
        Exception bad = org.assertj.core.api.Assertions.catchException(() -> jmx.invoke(name, "effectiveInbound",
            new Object[] {"not-an-ip", "", "", ""},
            new String[] {String.class.getName(), String.class.getName(), String.class.getName(), String.class.getName()}));
        // Exactly the JDK's class: a remote JMX client cannot load TLS Gate's own exception classes.
        assertThat(bad).hasRootCauseExactlyInstanceOf(IllegalArgumentException.class)
            .hasRootCauseMessage("address 'not-an-ip' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)");
    }

    @Test
    void aSwaksSessionRefusedOnTheSubmissionPortIsListedAndCounted() throws Exception {
        long weak = counter("tlsgate.inbound.permfail.cipher_too_weak");
        Peers.Run run = Peers.swaks("--server", HOST + ":" + server.port("smtpserver-submission"), "--ehlo", "swaks.example.net",
            "--tls", "--tls-protocol", "tlsv1_2", "--tls-cipher", "AES128-SHA",
            "--from", SENDER, "--to", DemoServer.USER, "--header", "Subject: swaks admin");
        assertThat(run.output).as(run.toString()).contains("<~* 554 5.7.0 encryption too weak: 128 bits, 256 required");

        JsonNode newest = json(web.get("/tlsgate/refusals?limit=1")).get(0);
        assertThat(newest.get("where").asText()).isEqualTo("smtpserver-submission");
        assertThat(newest.at("/peer/helo").asText()).isEqualTo("swaks.example.net");
        assertThat(newest.get("verdict").asText()).isEqualTo("permfail");
        assertThat(newest.get("reason").asText()).isEqualTo("cipher-too-weak");
        assertThat(newest.get("reply").asText() + " " + newest.get("enhancedStatus").asText() + " " + newest.get("text").asText())
            .isEqualTo("554 5.7.0 encryption too weak: 128 bits, 256 required");
        assertThat(counter("tlsgate.inbound.permfail.cipher_too_weak")).isEqualTo(weak + 1);
    }
}
