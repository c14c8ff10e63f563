package io.tlsgate.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.james.dnsservice.api.DNSService;

import io.tlsgate.demo.pki.DemoPki;

/**
 * {@code java -jar integration-tests/target/tlsgate-demo.jar [--self-check] [--work DIR] [--random-ports]}
 *
 * <p>Starts a real James 3.8.1 memory server on loopback with TLS Gate loaded from extensions-jars/ and the
 * conf-samples/inbound-gate configuration, prints its listeners and commands to try, and runs until stopped.
 * With {@code --self-check} it runs the acceptance cases instead and exits 0 only if all pass.
 */
public final class DemoMain {
    private static final Map<String, Integer> DEMO_PORTS = Map.of(
        "smtpserver-mx", 10025, "smtpserver-submission", 10587, "smtpserver-partners", 10465, "tlsgate-mx", 10026);
    private static final Map<String, String> DESCRIPTIONS = Map.of(
        "smtpserver-mx", "STARTTLS  MX: TLS required, >=128 bits, TLSv1.2+ (454 4.7.0); 127.0.0.2: 256 bits, TLSv1.3, 554 + disconnect",
        "smtpserver-submission", "STARTTLS  submission: >=256 bits, TLSv1.2+, else 554 5.7.0",
        "smtpserver-partners", "implicit TLS + client certificate: DNS name *.partners.demo.test from the demo CA, else 554 5.7.0",
        "tlsgate-mx", "STARTTLS, ASKS for a client certificate; TLS Gate verifies it (CA, CRL); *.partners.demo.test may relay");

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean selfCheck = false;
        boolean randomPorts = false;
        Path home = DemoServer.home();
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--self-check":
                    selfCheck = true;
                    break;
                case "--random-ports":
                    randomPorts = true;
                    break;
                case "--work":
                    if (i + 1 >= args.length) {
                        usage("--work needs a directory");
                    }
                    work = Path.of(args[++i]);
                    break;
                case "--help":
                case "-h":
                    usage(null);
                    break;
                default:
                    usage("unknown argument " + args[i]);
            }
        }
        if (work == null) {
            work = home.resolve(selfCheck ? "self-check-work" : "demo-work");
        }
        work = work.toAbsolutePath();
        System.setProperty("working.directory", work.toString());
        System.setProperty("logback.configurationFile", selfCheck
            ? DemoMain.class.getResource("/selfcheck-logback.xml").toString()
            : home.resolve("conf-samples/inbound-gate/logback.xml").toUri().toString());
        // Report a failed start ourselves instead of letting James call System.exit without a word on the console.
        System.setProperty("james.exit.on.startup.error", "false");
        int status;
        try {
            status = selfCheck ? selfCheck(home, work) : demo(home, work, randomPorts);
        } catch (Exception e) {
            System.err.println("TLS Gate demo: cannot start: " + causes(e));
            if (Files.exists(work.resolve("logs/james.log"))) {
                System.err.println("Details: " + work.resolve("logs/james.log"));
            }
            status = 1;
        }
        System.exit(status);
    }

    /** The chain of causes in one line: the root cause is usually the configuration error to fix. */
    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }

    private static int selfCheck(Path home, Path work) throws Exception {
        System.out.println("TLS Gate self-check: starting James 3.8.1 with TLS Gate (log: " + work.resolve("logs/james.log") + ")");
        DemoDns dns = new DemoDns();
        try (DemoServer server = new DemoServer.Setup(home, work).override(binder -> binder.bind(DNSService.class).toInstance(dns)).start();
             DemoPeers peers = DemoPeers.start(server.pki(), dns)) {
            List<String> failures = new SelfCheck(server, peers, System.out).run();
            System.out.println(failures.isEmpty() ? "SELF-CHECK PASSED" : "SELF-CHECK FAILED: " + String.join(", ", failures));
            return failures.isEmpty() ? 0 : 1;
        }
    }

    private static int demo(Path home, Path work, boolean randomPorts) throws Exception {
        DemoDns dns = new DemoDns();
        DemoServer.Setup setup = new DemoServer.Setup(home, work).override(binder -> binder.bind(DNSService.class).toInstance(dns));
        if (!randomPorts) {
            DEMO_PORTS.forEach(setup::port);
        }
        DemoServer server = setup.start();
        DemoPeers peers;
        try {
            peers = DemoPeers.start(server.pki(), dns);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                peers.close();
            } finally {
                server.close();
                stopped.countDown();
            }
        }, "tlsgate-demo-stop"));
        Path properties = writeProperties(server, peers);
        printGuide(server, peers, properties);
        peers.printSessions(System.out);
        stopped.await();
        return 0;
    }

    private static Path writeProperties(DemoServer server, DemoPeers peers) throws IOException {
        DemoPki pki = server.pki();
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        server.ports().forEach((name, port) -> p.setProperty("port." + name, String.valueOf(port)));
        p.setProperty("user", DemoServer.USER);
        p.setProperty("user.password", DemoServer.USER_PASSWORD);
        p.setProperty("pki.ca", pki.caCertificate().toString());
        p.setProperty("pki.ca.crl", pki.caCertificate().resolveSibling("ca.crl").toString());
        p.setProperty("pki.server.keystore", pki.serverKeyStore().toString());
        p.setProperty("pki.client-ca.truststore", pki.clientTrustStore().toString());
        p.setProperty("pki.good-client.cert", pki.certificateFile("good-client").toString());
        p.setProperty("pki.good-client.key", pki.keyFile("good-client").toString());
        for (String who : List.of("bad-client", "expired-client", "revoked-client", "unknown-ca-client")) {
            p.setProperty("pki." + who + ".cert", pki.certificateFile(who).toString());
            p.setProperty("pki." + who + ".key", pki.keyFile(who).toString());
        }
        peers.ports().forEach((domain, port) -> p.setProperty("peer." + domain + ".port", String.valueOf(port)));
        p.setProperty("working.directory", server.workingDirectory().toString());
        p.setProperty("log", server.workingDirectory().resolve("logs/james.log").toString());
        server.webAdmin().ifPresent(web -> {
            p.setProperty("webadmin.url", web.baseUrl());
            // Signed with a key made at this start and kept in memory only; valid one hour.
            p.setProperty("webadmin.token", web.adminToken());
        });
        Path file = server.workingDirectory().resolve("demo.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "TLS Gate demo: ports and PKI files of the running demo");
        }
        return file;
    }

    private static void printGuide(DemoServer server, DemoPeers peers, Path properties) {
        DemoPki pki = server.pki();
        int mx = server.port("smtpserver-mx");
        int submission = server.port("smtpserver-submission");
        int partners = server.port("smtpserver-partners");
        String ca = pki.caCertificate().toString();
        String mail = " --from sender@example.net --to " + DemoServer.USER;
        StringBuilder s = new StringBuilder();
        s.append("\nTLS Gate demo: Apache James 3.8.1 (memory) with TLS Gate from ")
            .append(server.workingDirectory().resolve("extensions-jars")).append('\n');
        s.append("Working directory: ").append(server.workingDirectory()).append('\n');
        s.append("\nListeners (127.0.0.1):\n");
        server.ports().forEach((name, port) -> s.append(String.format("  %-22s %5d  %s%n", name, port, DESCRIPTIONS.getOrDefault(name, ""))));
        s.append("\nTry (each line is one session; expected reply in the comment):\n");
        s.append("  # accepted, mail delivered to ").append(DemoServer.USER).append('\n');
        s.append("  swaks --server 127.0.0.1:").append(mx).append(" --tls --tls-verify --tls-ca-path ").append(ca).append(mail).append('\n');
        s.append("  # no STARTTLS: 530 5.7.0 Must issue a STARTTLS command first\n");
        s.append("  swaks --server 127.0.0.1:").append(mx).append(mail).append('\n');
        s.append("  # weak cipher: 554 5.7.0 encryption too weak: 128 bits, 256 required\n");
        s.append("  swaks --server 127.0.0.1:").append(submission).append(" --tls --tls-protocol tlsv1_2 --tls-cipher AES128-GCM-SHA256").append(mail).append('\n');
        s.append("  openssl s_client -connect 127.0.0.1:").append(submission)
            .append(" -starttls smtp -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -crlf -quiet -CAfile ").append(ca).append("   (then type: EHLO me)\n");
        s.append("  # partner certificate accepted, mail delivered\n");
        s.append("  swaks --server 127.0.0.1:").append(partners).append(" --tlsc --tls-cert ").append(pki.certificateFile("good-client"))
            .append(" --tls-key ").append(pki.keyFile("good-client")).append(mail).append('\n');
        s.append("  # certificate outside *.partners.demo.test: 554 5.7.0 certificate identity mismatch (and every later command)\n");
        s.append("  swaks --server 127.0.0.1:").append(partners).append(" --tlsc --tls-cert ").append(pki.certificateFile("bad-client"))
            .append(" --tls-key ").append(pki.keyFile("bad-client")).append(mail).append('\n');
        s.append("  openssl s_client -connect 127.0.0.1:").append(partners).append(" -cert ").append(pki.certificateFile("bad-client"))
            .append(" -key ").append(pki.keyFile("bad-client")).append(" -crlf -quiet -CAfile ").append(ca).append("   (then type: EHLO me, NOOP, RSET, QUIT)\n");
        s.append("  # the 127.0.0.2 rule: TLS 1.3 and 256 bits, else 554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required, then disconnect\n");
        s.append("  swaks --server 127.0.0.1:").append(mx).append(" --local-interface 127.0.0.2 --tls --tls-protocol tlsv1_2").append(mail).append('\n');
        int asking = server.port("tlsgate-mx");
        s.append("  # a listener that ASKS for a certificate: no certificate gets an SMTP reply, not a TLS alert\n");
        s.append("  #   554 5.7.0 certificate required, none presented\n");
        s.append("  swaks --server 127.0.0.1:").append(asking).append(" --tls").append(mail).append('\n');
        for (String[] c : new String[][] {
                {"good-client", "accepted; as a partner it may also relay (--to someone@elsewhere.example is accepted; the relay"
                    + " then bounces it at once, 5.4.4 no mail server found for elsewhere.example)"},
                {"expired-client", "554 5.7.0 certificate not trusted: certificate expired on ..."},
                {"revoked-client", "554 5.7.0 certificate not trusted: certificate revoked on ... (keyCompromise) per CRL ca.crl"},
                {"unknown-ca-client", "554 5.7.0 certificate not trusted: unknown issuer CN=Unknown Demo CA,O=Elsewhere"}}) {
            s.append("  #   ").append(c[1]).append('\n');
            s.append("  swaks --server 127.0.0.1:").append(asking).append(" --tls --tls-cert ").append(pki.certificateFile(c[0]))
                .append(" --tls-key ").append(pki.keyFile(c[0])).append(mail).append('\n');
        }
        s.append("\nOutbound: alice's mail to other domains is relayed by TLS Gate's relay mailet under conf/tlsgate-outbound.xml\n")
            .append("(default: verify, >=128 bits, TLSv1.2+, temporary) to local peers, each the only MX of a demo domain:\n");
        String[][] outbound = {
            {DemoPeers.GOOD, "certificate from the demo CA naming its MX: delivered"},
            {DemoPeers.UNTRUSTED, "certificate from an unknown CA: QUIT after STARTTLS, mail queued (retried per delayTime)"},
            {DemoPeers.PLAINTEXT, "no STARTTLS: QUIT, mail queued"},
            {DemoPeers.PERMANENT, "unknown CA under a permanent rule: QUIT after STARTTLS, DSN (5.7.0) to alice at once"},
            {DemoPeers.SENDMAIL, "Try_TLS NO in conf/sendmail-access: delivered in plaintext, STARTTLS not tried"}};
        for (String[] o : outbound) {
            s.append(String.format("  bob@%-26s %s:%d  %s%n", o[0], DemoPeers.mx(o[0]), peers.peer(o[0]).port(), o[1]));
        }
        s.append("  swaks --server 127.0.0.1:").append(submission).append(" --tls --tls-verify --tls-ca-path ").append(ca)
            .append(" --auth PLAIN --auth-user ").append(DemoServer.USER).append(" --auth-password ").append(DemoServer.USER_PASSWORD)
            .append(" --from ").append(DemoServer.USER).append(" --to bob@").append(DemoPeers.GOOD).append('\n');
        s.append("  (each peer session is printed below when it ends; the relay logs one 'tlsgate outbound' line per MX tried)\n");
        s.append("\nLive reload: the MX listener's rules are in ").append(server.workingDirectory().resolve("conf/tlsgate-policy.xml"))
            .append(" (checked every 2 seconds)\nand the relay's in conf/tlsgate-outbound.xml (every 5 seconds). Edit either while the demo runs:")
            .append(" new sessions and delivery\nattempts follow the edit ('TLS Gate ... policy reloaded from ...'); a broken edit is refused")
            .append(" and logged, the rules in force stay.\n");
        s.append("\nDelivered mail lands in the INBOX of ").append(DemoServer.USER).append(" (password ").append(DemoServer.USER_PASSWORD)
            .append(", for AUTH on the submission port); each delivery is logged as 'Local delivered mail' in the log file.\n");
        server.webAdmin().ifPresent(web -> s.append("\nAdmin surface (WebAdmin, JWT; the token is webadmin.token in ").append(properties.getFileName())
            .append("):\n  curl -H \"Authorization: Bearer $TOKEN\" '").append(web.baseUrl())
            .append("/tlsgate/inbound/effective?address=127.0.0.44'\n  curl -X POST -H \"Authorization: Bearer $TOKEN\" '")
            .append(web.baseUrl()).append("/tlsgate/probe?domain=").append(DemoPeers.GOOD).append("'\n  curl ").append(web.baseUrl())
            .append("/metrics | grep tlsgate\n  (also /tlsgate/policies, /tlsgate/outbound/effective, POST /tlsgate/reload, /tlsgate/refusals;")
            .append(" JMX: io.tlsgate:type=TlsGate)\n"));
        s.append("\nTLS Gate decisions are printed below and logged to ").append(server.workingDirectory().resolve("logs/james.log")).append('\n');
        s.append("Ports and PKI paths for scripts: ").append(properties).append('\n');
        s.append("Stop with Ctrl-C.\n");
        System.out.println(s);
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar tlsgate-demo.jar [--self-check] [--work DIR] [--random-ports]");
        System.err.println("  (no option)     start the demo James on ports 10025, 10026, 10587, 10465 and run until stopped");
        System.err.println("  --self-check    start it on free ports, run the acceptance sessions, print PASS/FAIL lines, exit");
        System.err.println("  --work DIR      James working directory; default target/demo-work or target/self-check-work. It is emptied");
        System.err.println("                  first, but only if it is empty or a demo working directory no running demo holds");
        System.err.println("  --random-ports  let the demo listeners take free ports (see demo.properties)");
        System.err.println("  --help          this text");
        System.exit(problem == null ? 0 : 2);
    }
}
