package io.tlsgate.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * The project's acceptance run: real SMTP sessions against the running demo James, one line per case,
 * {@code PASS|FAIL <case-id> expected=<reply> got=<reply>}. Case ids are prefixed by capability.
 */
public final class SelfCheck {
    private static final String HOST = "127.0.0.1";
    private static final String SENDER = "sender@example.net";

    /** The relay mailet's queue (mailetcontainer.xml). */
    private static final String RELAY_QUEUE = "outgoing-tlsgate";
    private static final long WAIT_NANOS = 30_000_000_000L;

    private final DemoServer server;
    private final DemoPeers peers;
    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();

    public SelfCheck(DemoServer server, DemoPeers peers, PrintStream out) {
        this.server = server;
        this.peers = peers;
        this.out = out;
    }

    /** Runs every case; returns the ids of those that failed. */
    public List<String> run() {
        inbound();
        clientCertificates();
        outbound();
        sendmail();
        reload();
        admin();
        return failures;
    }

    /**
     * The admin surface over WebAdmin (JWT on, the demo's own token): the effective rule for a client named by the
     * Sendmail access file, a probe of the demo's peers, a reload (a broken edit refused with 422, the old policy
     * kept), the refusal log, metrics at /metrics, and no access without a token.
     */
    private void admin() {
        Optional<WebAdminAccess> access = server.webAdmin();
        if (access.isEmpty()) {
            record("admin.webadmin", "WebAdmin enabled (conf/webadmin.properties)", "disabled", false);
            return;
        }
        WebAdminAccess web = access.get();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            WebAdminAccess.Answer anonymous = web.send("GET", "/tlsgate/policies", false);
            record("admin.unauthenticated", "401", String.valueOf(anonymous.status), anonymous.status == 401);

            WebAdminAccess.Answer effective = web.get("/tlsgate/inbound/effective?address=127.0.0.44&listener=smtpserver-mx");
            com.fasterxml.jackson.databind.JsonNode rule = json.readTree(effective.body).at("/policies/0");
            String got = effective.status + " " + rule.at("/matched/entry").asText() + " minCipherBits=" + rule.at("/requirement/minCipherBits")
                + " failure=" + rule.at("/requirement/failure").asText();
            record("admin.effective-policy", "200 address 127.0.0.44 minCipherBits=256 failure=permanent", got,
                got.equals("200 address 127.0.0.44 minCipherBits=256 failure=permanent"));

            WebAdminAccess.Answer bad = web.get("/tlsgate/inbound/effective?address=not-an-address");
            String badGot = bad.status + " " + json.readTree(bad.body).path("message").asText();
            record("admin.effective-policy.bad-input", "400 address 'not-an-address' is not an IP address ...", badGot,
                bad.status == 400 && badGot.contains("address 'not-an-address' is not an IP address"));

            probe(web, json, "admin.probe.accepted", DemoPeers.GOOD, true, "accepted");
            probe(web, json, "admin.probe.refused", DemoPeers.UNTRUSTED, false, "tempfail");

            adminReload(web, json);

            WebAdminAccess.Answer refusals = web.get("/tlsgate/refusals?limit=1");
            com.fasterxml.jackson.databind.JsonNode last = json.readTree(refusals.body);
            record("admin.refusals", "200 with the newest refusal (time, where, peer, reason, reply)",
                refusals.status + " " + last, refusals.status == 200 && last.size() == 1 && last.get(0).hasNonNull("reason")
                    && last.get(0).hasNonNull("time") && last.get(0).at("/peer/address").isTextual());

            String metrics = web.send("GET", "/metrics", false).body;
            List<String> wanted = List.of("tlsgate_inbound_accepted_total", "tlsgate_inbound_permfail_tls_missing_total",
                "tlsgate_outbound_accepted_total",
                "tlsgate_outbound_tempfail_certificate_untrusted_total", "tlsgate_verification_count", "tlsgate_probe_count");
            List<String> missing = new ArrayList<>();
            for (String name : wanted) {
                if (!java.util.regex.Pattern.compile("(?m)^" + name + " [1-9]").matcher(metrics).find()) {
                    missing.add(name);
                }
            }
            record("admin.metrics", "at /metrics, each at least 1: " + wanted, missing.isEmpty() ? "all present" : "missing " + missing,
                missing.isEmpty());
        } catch (IOException e) {
            fail("admin.webadmin", "WebAdmin answers", new UncheckedIOException(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("admin.webadmin", "WebAdmin answers", new IllegalStateException(e));
        }
    }

    private void probe(WebAdminAccess web, com.fasterxml.jackson.databind.ObjectMapper json, String id, String domain, boolean accepted,
                       String status) throws IOException, InterruptedException {
        WebAdminAccess.Answer answer = web.post("/tlsgate/probe?domain=" + domain);
        com.fasterxml.jackson.databind.JsonNode host = json.readTree(answer.body).at("/hosts/0");
        String got = answer.status + " " + host.path("host").asText() + " connected=" + host.path("connected").asBoolean()
            + " verdict=" + host.at("/verdict/status").asText() + " " + host.at("/verdict/text").asText();
        boolean pass = answer.status == 200 && host.path("host").asText().equals(DemoPeers.mx(domain))
            && host.path("connected").asBoolean() && host.at("/verdict/accepted").asBoolean() == accepted
            && host.at("/verdict/status").asText().equals(status);
        record(id, "200 " + DemoPeers.mx(domain) + " connected=true verdict=" + status, got, pass);
    }

    /** A broken edit of conf/tlsgate-policy.xml: 422, the rule in force kept; the original back: 200. */
    private void adminReload(WebAdminAccess web, com.fasterxml.jackson.databind.ObjectMapper json) throws IOException, InterruptedException {
        Path inbound = server.workingDirectory().resolve("conf/tlsgate-policy.xml");
        String original = Files.readString(inbound);
        try {
            Files.writeString(inbound, original.replace("</inbound>", "<bogus/></inbound>"));
            WebAdminAccess.Answer refused = web.post("/tlsgate/reload");
            com.fasterxml.jackson.databind.JsonNode mx = json.readTree(refused.body).at("/policies/0");
            String got = refused.status + " " + mx.path("name").asText() + " " + mx.path("status").asText() + ": " + mx.path("message").asText();
            record("admin.reload.broken-edit-refused", "422 smtpserver-mx refused: ...<bogus>...", got,
                refused.status == 422 && got.startsWith("422 smtpserver-mx refused: ") && got.contains("bogus"));
        } finally {
            Files.writeString(inbound, original);
        }
        WebAdminAccess.Answer fixed = web.post("/tlsgate/reload");
        String status = json.readTree(fixed.body).at("/policies/0/status").asText();
        record("admin.reload", "200 smtpserver-mx reloaded (or unchanged, when the watcher took it first)", fixed.status + " " + status,
            fixed.status == 200 && (status.equals("reloaded") || status.equals("unchanged")));
    }

    /**
     * The relay mailet (conf/tlsgate-outbound.xml) towards the demo's own peers: alice submits, James relays. Each
     * case checks where the mail ended and, for refusals, that the peer saw QUIT and never MAIL FROM.
     */
    private void outbound() {
        String delivered = relay("outbound.delivered", "bob@" + DemoPeers.GOOD);
        if (delivered != null) {
            SmtpPeer peer = peers.peer(DemoPeers.GOOD);
            Optional<Received> message = awaitReceived(peer, delivered);
            String sni = message.flatMap(m -> sessionOf(peer, m.sessionId())).flatMap(Session::handshake)
                .map(h -> String.valueOf(h.sniHostNames())).orElse("(none)");
            boolean pass = message.isPresent() && message.get().tls() && sni.equals("[" + DemoPeers.mx(DemoPeers.GOOD) + "]");
            record("outbound.delivered", "received over TLS, SNI [" + DemoPeers.mx(DemoPeers.GOOD) + "]",
                message.map(m -> "received tls=" + m.tls() + " SNI " + sni).orElse("nothing received"), pass);
        }

        if (relay("outbound.queued", "bob@" + DemoPeers.UNTRUSTED) != null) {
            Optional<QueueProbe.Queued> queued = awaitQueued("bob@" + DemoPeers.UNTRUSTED);
            String reason = "certificate not trusted: untrusted root CN=Unknown Relay CA,O=Elsewhere";
            record("outbound.queued", "in " + RELAY_QUEUE + ", retries=1, 4.7.0 ... " + reason,
                queued.map(String::valueOf).orElse("not queued"),
                queued.filter(q -> q.retries == 1 && q.error.startsWith("4.7.0 ") && q.error.contains(reason)).isPresent());
            quitBeforeMailFrom("outbound.queued.quit-before-mail", DemoPeers.UNTRUSTED, true);
        }

        if (relay("outbound.no-starttls", "bob@" + DemoPeers.PLAINTEXT) != null) {
            Optional<QueueProbe.Queued> queued = awaitQueued("bob@" + DemoPeers.PLAINTEXT);
            record("outbound.no-starttls", "in " + RELAY_QUEUE + ", 4.7.0 ... the server does not offer STARTTLS",
                queued.map(String::valueOf).orElse("not queued"),
                queued.filter(q -> q.retries == 1 && q.error.endsWith("4.7.0 the server does not offer STARTTLS")).isPresent());
            quitBeforeMailFrom("outbound.no-starttls.quit-before-mail", DemoPeers.PLAINTEXT, false);
        }

        if (relay("outbound.bounced", "bob@" + DemoPeers.PERMANENT) != null) {
            String dsn = awaitDsn("bob@" + DemoPeers.PERMANENT);
            String status = "Status: 5.7.0 " + DemoPeers.mx(DemoPeers.PERMANENT);
            boolean stillQueued = server.queue(RELAY_QUEUE).stream().anyMatch(q -> q.recipients.contains("bob@" + DemoPeers.PERMANENT));
            record("outbound.bounced", "DSN to " + DemoServer.USER + " with " + status + "...: certificate not trusted",
                dsn.isEmpty() ? "no DSN" : statusLine(dsn) + (stillQueued ? " (and still queued)" : ""),
                dsn.contains(status) && dsn.contains("certificate not trusted") && !stillQueued);
            quitBeforeMailFrom("outbound.bounced.quit-before-mail", DemoPeers.PERMANENT, true);
        }
    }

    /**
     * The Sendmail access file conf/sendmail-access, named by the MX listener's policy (tlsgate-policy.xml) and by the
     * relay's (tlsgate-outbound.xml): its TLS_Clt entries inbound, its TLS_Rcpt and Try_TLS entries outbound.
     */
    private void sendmail() {
        int mx = server.port("smtpserver-mx");
        TlsOptions aes128 = TlsOptions.trusting(server.pki().ca().certificate()).withProtocols("TLSv1.3")
            .withCipherSuites("TLS_AES_128_GCM_SHA256");

        int ignored = logCount("sendmail-access: 1 entries ignored, not TLS policy (lines 8)");
        record("sendmail.non-tls-entry-ignored", "Connect: line logged as ignored, not TLS policy (line 8)",
            ignored > 0 ? "logged" : "not logged", ignored > 0);

        // TLS_Clt:127.0.0.44 PERM+ENCR:256: AES-128 is not enough, permanently.
        try (SmtpClient client = SmtpClient.connect(HOST, mx, loopback(44))) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(aes128);
            expect("sendmail.inbound.tls-clt-refused", "554 5.7.0", "encryption too weak: 128 bits, 256 required",
                client.command("EHLO client.example.net"));
        } catch (RuntimeException e) {
            fail("sendmail.inbound.tls-clt-refused", "554 5.7.0", e);
        }
        // TLS_Clt:127.0.0.45 ENCR:128: AES-128 passes and the mail reaches the mailbox ...
        try (SmtpClient client = SmtpClient.connect(HOST, mx, loopback(45))) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(aes128);
            client.command("EHLO client.example.net");
            String subject = "self-check sendmail " + UUID.randomUUID();
            Reply reply = client.sendMail(SENDER, DemoServer.USER, subject);
            boolean delivered = reply.code() == 250 && awaitDelivery(subject);
            check("sendmail.inbound.tls-clt-passed", "250 2.6.0 +delivered", reply, reply.codeAndStatus().equals("250 2.6.0") && delivered,
                delivered ? "" : " (not in the mailbox)");
        } catch (RuntimeException e) {
            fail("sendmail.inbound.tls-clt-passed", "250 2.6.0 +delivered", e);
        }
        // ... and without STARTTLS its entry (no PERM+) refuses temporarily, where the XML default says 530.
        try (SmtpClient client = SmtpClient.connect(HOST, mx, loopback(45))) {
            client.readReply();
            client.command("EHLO client.example.net");
            expect("sendmail.inbound.tls-clt-no-starttls-temporary", "454 4.7.0", "Must issue a STARTTLS command first",
                client.command("MAIL FROM:<" + SENDER + ">"));
        } catch (RuntimeException e) {
            fail("sendmail.inbound.tls-clt-no-starttls-temporary", "454 4.7.0", e);
        }

        String mismatch = "certificate identity mismatch";
        String queuedTo = "queued@" + DemoPeers.GOOD;
        if (relay("sendmail.outbound.tls-rcpt-queued", queuedTo) != null) {
            Optional<QueueProbe.Queued> queued = awaitQueued(queuedTo);
            record("sendmail.outbound.tls-rcpt-queued", "in " + RELAY_QUEUE + ", retries=1, 4.7.0 ... " + mismatch,
                queued.map(String::valueOf).orElse("not queued"),
                queued.filter(q -> q.retries == 1 && q.error.startsWith("4.7.0 ") && q.error.contains(mismatch)).isPresent());
            quitBeforeMailFrom("sendmail.outbound.tls-rcpt-queued.quit-before-mail", DemoPeers.GOOD, true);
        }

        String bouncedTo = "bounced@" + DemoPeers.GOOD;
        if (relay("sendmail.outbound.tls-rcpt-bounced", bouncedTo) != null) {
            String dsn = awaitDsn(bouncedTo);
            String status = "Status: 5.7.0 " + DemoPeers.mx(DemoPeers.GOOD) + "[";
            boolean stillQueued = server.queue(RELAY_QUEUE).stream().anyMatch(q -> q.recipients.contains(bouncedTo));
            record("sendmail.outbound.tls-rcpt-bounced", "DSN to " + DemoServer.USER + " with " + status + "...: " + mismatch,
                dsn.isEmpty() ? "no DSN" : statusLine(dsn) + (stillQueued ? " (and still queued)" : ""),
                dsn.contains(status) && dsn.contains(mismatch) && !stillQueued);
            quitBeforeMailFrom("sendmail.outbound.tls-rcpt-bounced.quit-before-mail", DemoPeers.GOOD, true);
        }

        // Try_TLS:mx.sendmail.peer.demo.test NO: the peer offers STARTTLS, the relay does not use it.
        String plainTo = "bob@" + DemoPeers.SENDMAIL;
        String subject = relay("sendmail.outbound.try-tls-no", plainTo);
        if (subject != null) {
            SmtpPeer peer = peers.peer(DemoPeers.SENDMAIL);
            Optional<Received> message = awaitReceived(peer, subject);
            boolean startTls = message.flatMap(m -> sessionOf(peer, m.sessionId())).map(x -> x.transcript().contains("STARTTLS")).orElse(true);
            record("sendmail.outbound.try-tls-no", "received in plaintext, no STARTTLS sent",
                message.map(m -> "received tls=" + m.tls() + (startTls ? ", STARTTLS sent" : ", no STARTTLS")).orElse("nothing received"),
                message.isPresent() && !message.get().tls() && !startTls);
        }
    }

    /**
     * Live reload of policy files while James runs: the MX listener's rules (conf/tlsgate-policy.xml) and the relay's
     * (conf/tlsgate-outbound.xml) are edited; new sessions and delivery attempts follow, a session already judged keeps
     * its rules, and a broken edit is refused (logged) with the old rules kept. Every file is restored at the end.
     */
    private void reload() {
        Path inbound = server.workingDirectory().resolve("conf/tlsgate-policy.xml");
        Path outbound = server.workingDirectory().resolve("conf/tlsgate-outbound.xml");
        String inboundOriginal;
        String outboundOriginal;
        try {
            inboundOriginal = Files.readString(inbound);
            outboundOriginal = Files.readString(outbound);
        } catch (IOException e) {
            fail("reload.rule-changed", "policy files readable", new UncheckedIOException(e));
            return;
        }
        String marker = "</inbound>";
        String strict = inboundOriginal.replace(marker, "    <client peer=\"127.0.0.3\"><level>verify</level><failure>permanent</failure></client>\n    "
            + marker);
        String broken = inboundOriginal.replace(marker, "    <client peer=\"127.0.0.3\"><levell>none</levell></client>\n    " + marker);
        String refused = "554 5.7.0 certificate required, none presented";
        try {
            try (SmtpClient before = judgedFrom3()) {
                Reply first = before.command("EHLO client.example.net");
                check("reload.before-edit", "250", first, first.code() == 250, "");

                write(inbound, strict);
                Reply changed = awaitReplyFrom3(r -> r.toString().startsWith(refused));
                check("reload.rule-changed", refused, changed, changed.toString().startsWith(refused), "");
                expect("reload.session-kept", "250 2.1.0", "", before.command("MAIL FROM:<" + SENDER + ">"));
            }

            // The log line names the file whose edit is refused.
            String notReloaded = "TLS Gate inbound policy not reloaded: the edit of " + inbound;
            int errors = logCount(notReloaded);
            write(inbound, broken);
            boolean logged = awaitLog(notReloaded, errors);
            Reply still = replyFrom3();
            record("reload.broken-edit-refused", "ERROR logged, then still " + refused,
                (logged ? "ERROR logged" : "no ERROR logged") + ", then " + still, logged && still.toString().startsWith(refused));

            write(inbound, inboundOriginal);
            Reply restored = awaitReplyFrom3(r -> r.code() == 250);
            check("reload.fixed-edit-taken", "250", restored, restored.code() == 250, "");

            String recipient = "opportunistic@" + DemoPeers.PLAINTEXT;
            String outboundReloaded = "TLS Gate outbound policy reloaded from " + outbound;
            int reloads = logCount(outboundReloaded);
            write(outbound, outboundOriginal.replace("</outbound>", "    <destination recipient=\"" + recipient
                + "\"><level>may</level></destination>\n</outbound>"));
            boolean reloaded = awaitLog(outboundReloaded, reloads);
            String subject = reloaded ? relay("reload.outbound-rule-changed", recipient) : null;
            Optional<Received> received = subject == null ? Optional.empty() : awaitReceived(peers.peer(DemoPeers.PLAINTEXT), subject);
            record("reload.outbound-rule-changed", "relay reloaded, then delivered in plaintext under level may",
                !reloaded ? "no reload logged" : received.map(m -> "received tls=" + m.tls()).orElse("nothing received"),
                received.filter(m -> !m.tls()).isPresent());
        } catch (RuntimeException e) {
            fail("reload.rule-changed", refused, e);
        } finally {
            try {
                write(inbound, inboundOriginal);
                write(outbound, outboundOriginal);
            } catch (RuntimeException e) {
                fail("reload.restore", "policy files restored", e);
            }
        }
    }

    /** A session from 127.0.0.3 to the MX, after STARTTLS: its next command is the one the gate judges. */
    private SmtpClient judgedFrom3() {
        SmtpClient client = SmtpClient.connect(HOST, server.port("smtpserver-mx"), loopback(3));
        client.readReply();
        client.command("EHLO client.example.net");
        client.startTls(TlsOptions.trusting(server.pki().ca().certificate()));
        return client;
    }

    private Reply replyFrom3() {
        try (SmtpClient client = judgedFrom3()) {
            return client.command("EHLO client.example.net");
        }
    }

    /** New sessions until one gets the wanted reply (the file is re-read every few seconds), or the last reply. */
    private Reply awaitReplyFrom3(java.util.function.Predicate<Reply> wanted) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        Reply reply;
        do {
            reply = replyFrom3();
            if (wanted.test(reply)) {
                return reply;
            }
        } while (pause() && System.nanoTime() < deadline);
        return reply;
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int logCount(String line) {
        try {
            String log = Files.readString(server.workingDirectory().resolve("logs/james.log"));
            int n = 0;
            for (int i = log.indexOf(line); i >= 0; i = log.indexOf(line, i + 1)) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    private boolean awaitLog(String line, int before) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        do {
            if (logCount(line) > before) {
                return true;
            }
        } while (pause() && System.nanoTime() < deadline);
        return false;
    }

    /** Alice submits a mail for {@code recipient} (submission port, STARTTLS, AUTH); its subject, or null on failure. */
    private String relay(String id, String recipient) {
        String subject = "self-check relay " + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect(HOST, server.port("smtpserver-submission"))) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(TlsOptions.trusting(server.pki().ca().certificate()));
            client.command("EHLO client.example.net");
            Reply auth = client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD);
            Reply reply = auth.code() == 235 ? client.sendMail(DemoServer.USER, recipient, subject) : auth;
            if (reply.code() != 250) {
                check(id, "250 2.6.0 (submitted)", reply, false, "");
                return null;
            }
            return subject;
        } catch (RuntimeException e) {
            fail(id, "250 2.6.0 (submitted)", e);
            return null;
        }
    }

    /** The peer's last session: STARTTLS (when {@code tls}), then QUIT; no MAIL FROM, no message bytes. */
    private void quitBeforeMailFrom(String id, String domain, boolean tls) {
        SmtpPeer peer = peers.peer(domain);
        String expected = tls ? "STARTTLS, then [tls] QUIT; no MAIL FROM" : "QUIT; no MAIL FROM";
        try {
            List<Session> sessions = peer.awaitSessions(1, java.time.Duration.ofNanos(WAIT_NANOS));
            Session last = sessions.get(sessions.size() - 1);
            List<String> transcript = last.transcript();
            boolean pass = !last.sawMailFrom() && last.receivedDataBytes() == 0 && !transcript.isEmpty()
                && transcript.get(transcript.size() - 1).equals(tls ? "[tls] QUIT" : "QUIT")
                && transcript.contains("STARTTLS") == tls;
            record(id, expected, String.join(" | ", transcript), pass);
        } catch (RuntimeException e) {
            fail(id, expected, e);
        }
    }

    private static Optional<Received> awaitReceived(SmtpPeer peer, String subject) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        do {
            Optional<Received> message = peer.messages().stream().filter(m -> m.text().contains("Subject: " + subject + "\r\n")).findFirst();
            if (message.isPresent()) {
                return message;
            }
        } while (pause() && System.nanoTime() < deadline);
        return Optional.empty();
    }

    private static Optional<Session> sessionOf(SmtpPeer peer, int id) {
        return peer.sessions().stream().filter(s -> s.id() == id).findFirst();
    }

    /** The mail queued again after its first attempt (retries=1). */
    private Optional<QueueProbe.Queued> awaitQueued(String recipient) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        do {
            Optional<QueueProbe.Queued> queued = server.queue(RELAY_QUEUE).stream()
                .filter(q -> q.recipients.contains(recipient) && q.retries > 0).findFirst();
            if (queued.isPresent()) {
                return queued;
            }
        } while (pause() && System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** The DSN for {@code recipient} in alice's INBOX, or "". */
    private String awaitDsn(String recipient) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        do {
            Optional<String> dsn = server.inbox(DemoServer.USER).stream()
                .filter(m -> m.contains("Final-Recipient: rfc822; " + recipient)).findFirst();
            if (dsn.isPresent()) {
                return dsn.get();
            }
        } while (pause() && System.nanoTime() < deadline);
        return "";
    }

    private static String statusLine(String dsn) {
        return dsn.lines().filter(l -> l.startsWith("Status: ")).findFirst().orElse("(no Status line)");
    }

    private static boolean pause() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The listener that asks for a certificate (tlsgate-listeners.xml): every case gets an SMTP reply. */
    private void clientCertificates() {
        int port = server.port("tlsgate-mx");
        DemoPki pki = server.pki();
        TlsOptions tls = TlsOptions.trusting(pki.ca().certificate());
        String untrusted = "certificate not trusted: ";
        firstReplyAfterTls("clientcert.no-certificate", port, tls, "554 5.7.0", "certificate required, none presented");
        firstReplyAfterTls("clientcert.unknown-ca", port, tls.withClientCertificate(pki.client("unknown-ca-client")),
            "554 5.7.0", untrusted + "unknown issuer CN=Unknown Demo CA,O=Elsewhere");
        firstReplyAfterTls("clientcert.expired", port, tls.withClientCertificate(pki.client("expired-client")),
            "554 5.7.0", untrusted + "certificate expired on ");
        firstReplyAfterTls("clientcert.revoked", port, tls.withClientCertificate(pki.client("revoked-client")),
            "554 5.7.0", untrusted + "certificate revoked on ");

        try (SmtpClient client = SmtpClient.connect(HOST, port)) {
            client.readReply();
            client.command("EHLO " + DemoPki.GOOD_CLIENT);
            client.startTls(tls.withClientCertificate(pki.goodClient()));
            client.command("EHLO " + DemoPki.GOOD_CLIENT);
            String subject = "self-check client certificate " + UUID.randomUUID();
            Reply reply = client.sendMail(SENDER, DemoServer.USER, subject);
            boolean delivered = reply.code() == 250 && awaitDelivery(subject);
            check("clientcert.good", "250 2.6.0 +delivered", reply, reply.codeAndStatus().equals("250 2.6.0") && delivered,
                delivered ? "" : " (not in the mailbox)");
            client.command("MAIL FROM:<" + DemoServer.PARTNER_USER + ">");
            expect("clientcert.relay-by-certificate", "250 2.1.5", "", client.command("RCPT TO:<someone@elsewhere.example>"));
            client.command("RSET");
        } catch (RuntimeException e) {
            fail("clientcert.good", "250 2.6.0 +delivered", e);
        }
        try (SmtpClient client = SmtpClient.connect(HOST, port)) {
            client.readReply();
            client.command("EHLO " + DemoPki.BAD_CLIENT);
            client.startTls(tls.withClientCertificate(pki.badClient()));
            client.command("EHLO " + DemoPki.BAD_CLIENT);
            client.command("MAIL FROM:<" + SENDER + ">");
            expect("clientcert.relay-not-granted", "550 5.7.1", "relaying denied", client.command("RCPT TO:<someone@elsewhere.example>"));
        } catch (RuntimeException e) {
            fail("clientcert.relay-not-granted", "550 5.7.1", e);
        }
    }

    private void firstReplyAfterTls(String id, int port, TlsOptions tls, String codeAndStatus, String text) {
        try (SmtpClient client = SmtpClient.connect(HOST, port)) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(tls);
            expect(id, codeAndStatus, text, client.command("EHLO client.example.net"));
        } catch (RuntimeException e) {
            fail(id, codeAndStatus, e);
        }
    }

    private void inbound() {
        int mx = server.port("smtpserver-mx");
        int submission = server.port("smtpserver-submission");
        int partners = server.port("smtpserver-partners");
        DemoPki pki = server.pki();
        TlsOptions tls = TlsOptions.trusting(pki.ca().certificate());

        // A client meeting the MX rule: the mail must reach the mailbox.
        try (SmtpClient client = SmtpClient.connect(HOST, mx)) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(tls);
            client.command("EHLO client.example.net");
            String subject = "self-check " + UUID.randomUUID();
            Reply reply = client.sendMail(SENDER, DemoServer.USER, subject);
            boolean delivered = reply.code() == 250 && awaitDelivery(subject);
            check("inbound.accepted", "250 2.6.0 +delivered", reply, reply.codeAndStatus().equals("250 2.6.0") && delivered,
                delivered ? "" : " (not in the mailbox)");
        } catch (RuntimeException e) {
            fail("inbound.accepted", "250 2.6.0 +delivered", e);
        }

        // MAIL without STARTTLS is refused, but the client may still start TLS and carry on.
        try (SmtpClient client = SmtpClient.connect(HOST, mx)) {
            client.readReply();
            client.command("EHLO client.example.net");
            Reply reply = client.command("MAIL FROM:<" + SENDER + ">");
            expect("inbound.no-tls", "530 5.7.0", "Must issue a STARTTLS command first", reply);
            client.startTls(tls);
            client.command("EHLO client.example.net");
            expect("inbound.no-tls.starttls-after-refusal", "250 2.1.0", "", client.command("MAIL FROM:<" + SENDER + ">"));
        } catch (RuntimeException e) {
            fail("inbound.no-tls", "530 5.7.0", e);
        }

        // The submission port wants 256-bit ciphers, whatever the protocol.
        for (String[] weak : List.of(new String[] {"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
                new String[] {"TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})) {
            String id = "inbound.weak-cipher." + weak[0].toLowerCase(java.util.Locale.ROOT);
            try (SmtpClient client = SmtpClient.connect(HOST, submission)) {
                client.readReply();
                client.command("EHLO client.example.net");
                client.startTls(tls.withProtocols(weak[0]).withCipherSuites(weak[1]));
                expect(id, "554 5.7.0", "encryption too weak: 128 bits, 256 required", client.command("EHLO client.example.net"));
            } catch (RuntimeException e) {
                fail(id, "554 5.7.0", e);
            }
        }

        // Partner port: James requires a certificate; the gate checks who it names.
        try (SmtpClient client = SmtpClient.connectTls(HOST, partners, null, tls.withClientCertificate(pki.goodClient()))) {
            client.readReply();
            client.command("EHLO " + DemoPki.GOOD_CLIENT);
            String subject = "self-check partner " + UUID.randomUUID();
            Reply reply = client.sendMail(SENDER, DemoServer.USER, subject);
            boolean delivered = reply.code() == 250 && awaitDelivery(subject);
            check("inbound.certificate-accepted", "250 2.6.0 +delivered", reply, reply.codeAndStatus().equals("250 2.6.0") && delivered,
                delivered ? "" : " (not in the mailbox)");
        } catch (RuntimeException e) {
            fail("inbound.certificate-accepted", "250 2.6.0 +delivered", e);
        }
        try (SmtpClient client = SmtpClient.connectTls(HOST, partners, null, tls.withClientCertificate(pki.badClient()))) {
            client.readReply();
            String mismatch = "certificate identity mismatch: subjectAltName DNS name " + DemoPki.BAD_CLIENT
                + " does not match glob:*.partners.demo.test";
            expect("inbound.certificate-identity-mismatch", "554 5.7.0", mismatch, client.command("EHLO " + DemoPki.BAD_CLIENT));
            for (String command : List.of("RSET", "NOOP", "VRFY alice", "EHLO again.example", "HELO again.example",
                    "MAIL FROM:<" + SENDER + ">", "RCPT TO:<" + DemoServer.USER + ">", "DATA", "HELP", "XYZZY")) {
                String id = "inbound.after-refusal." + command.split(" ")[0].toLowerCase(java.util.Locale.ROOT);
                expect(id, "554 5.7.0", mismatch, client.command(command));
            }
            expect("inbound.after-refusal.quit", "221 2.0.0", "", client.command("QUIT"));
        } catch (RuntimeException e) {
            fail("inbound.certificate-identity-mismatch", "554 5.7.0", e);
        }

        // Per-address rule: 127.0.0.2 is disconnected after its refusal.
        try (SmtpClient client = SmtpClient.connectTls(HOST, partners, loopback2(), tls.withClientCertificate(pki.badClient()))) {
            client.readReply();
            expect("inbound.disconnect.reply", "554 5.7.0", "certificate identity mismatch", client.command("EHLO " + DemoPki.BAD_CLIENT));
            Reply after = client.command("NOOP");
            check("inbound.disconnect.closed", "(connection closed)", after, after.isClosed(), "");
        } catch (RuntimeException e) {
            fail("inbound.disconnect.reply", "554 5.7.0", e);
        }
        // The MX holds 127.0.0.2 to TLS 1.3: refused, then disconnected.
        try (SmtpClient client = SmtpClient.connect(HOST, mx, loopback2())) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.startTls(tls.withProtocols("TLSv1.2"));
            expect("inbound.old-protocol", "554 5.7.0", "protocol too old: TLSv1.2, TLSv1.3 required",
                client.command("EHLO client.example.net"));
            Reply after = client.command("NOOP");
            check("inbound.old-protocol.closed", "(connection closed)", after, after.isClosed(), "");
        } catch (RuntimeException e) {
            fail("inbound.old-protocol", "554 5.7.0", e);
        }

        // Commands pipelined behind STARTTLS are never executed (they were sent before encryption).
        try (SmtpClient client = SmtpClient.connect(HOST, mx)) {
            client.readReply();
            client.command("EHLO client.example.net");
            client.write("STARTTLS\r\nMAIL FROM:<" + SENDER + ">\r\n");
            Reply reply = client.readReply();
            Reply next = reply.isClosed() ? reply : client.readReply();
            boolean executed = reply.code() == 250 || next.code() == 250;
            check("inbound.pipelined-after-starttls", "no 250 for the pipelined MAIL", next, !executed, "");
        } catch (RuntimeException e) {
            fail("inbound.pipelined-after-starttls", "no 250 for the pipelined MAIL", e);
        }
    }

    private boolean awaitDelivery(String subject) {
        try {
            return !server.awaitMessage(DemoServer.USER, subject).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void expect(String id, String codeAndStatus, String text, Reply reply) {
        boolean pass = reply.codeAndStatus().equals(codeAndStatus) && reply.text().contains(text);
        check(id, codeAndStatus + (text.isEmpty() ? "" : " " + text), reply, pass, "");
    }

    private void check(String id, String expected, Reply got, boolean pass, String note) {
        record(id, expected, got + note, pass);
    }

    private void record(String id, String expected, String got, boolean pass) {
        out.println((pass ? "PASS " : "FAIL ") + id + " expected=" + expected + " got=" + got);
        if (!pass) {
            failures.add(id);
        }
    }

    private void fail(String id, String expected, RuntimeException e) {
        out.println("FAIL " + id + " expected=" + expected + " got=" + e);
        failures.add(id);
    }

    static InetAddress loopback2() {
        return loopback(2);
    }

    static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
