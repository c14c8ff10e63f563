package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;

/**
 * Many multi-recipient messages, submitted concurrently, spread over peers that accept, refuse the TLS policy
 * (temporarily or for good), lack STARTTLS, drop the connection, or refuse recipients (4xx, 5xx, some of them
 * only). Once the system is quiet, every (message, recipient) pair must have ended exactly once and where its
 * destination says: delivered (the peer got it once), still queued (once, in the slow relay's queue), or bounced
 * (in exactly one DSN, with the expected status). Nothing is lost, nothing is duplicated, nothing is left in the
 * error repository.
 *
 * <p>Two relay mailets: a slow one for plain.test and busy.test (1 hour delay: a temporary failure stays queued
 * with retry count 1) and the main one (1 s delay, maxRetries 1: a temporary failure is bounced after 2 attempts).
 */
class OutboundReconciliationIT {
    private static final String QUEUE = "outgoing-tlsgate";
    private static final String SLOW_QUEUE = "outgoing-slow";
    private static final MailRepositoryUrl ERROR_REPOSITORY = MailRepositoryUrl.from("memory://var/mail/error/");
    private static final int MESSAGES = 80;
    private static final Duration QUIET_DEADLINE = Duration.ofSeconds(180);
    private static final Duration STABLE_FOR = Duration.ofSeconds(2);
    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject: (recon-\\d+)\\r?$");

    private static final DemoDns DNS = new DemoDns();
    private static final Map<String, SmtpPeer> PEERS = new LinkedHashMap<>();
    private static DemoServer server;
    private static CertificateAuthority ca;

    private static final String POLICY = "<?xml version=\"1.0\"?>\n<outbound>"
        + "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>"
        + "<destination domain=\"perm.test\"><level>verify</level><failure>permanent</failure></destination>"
        + "</outbound>\n";

    private static final String RELAY = "<mailet match=\"HostIs=plain.test, busy.test\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">"
        + "<policy>file://conf/tlsgate-outbound.xml</policy><outgoing>" + SLOW_QUEUE + "</outgoing>"
        + "<delayTime>1 hour</delayTime><maxRetries>1</maxRetries><sendpartial>true</sendpartial>"
        + "<bounceProcessor>bounces</bounceProcessor></mailet>\n"
        + "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">"
        + "<policy>file://conf/tlsgate-outbound.xml</policy>"
        + "<delayTime>1 second</delayTime><maxRetries>1</maxRetries><maxDnsProblemRetries>0</maxDnsProblemRetries>"
        + "<sendpartial>true</sendpartial><bounceProcessor>bounces</bounceProcessor></mailet>";

    /** Recipient addresses by domain; every domain but nomx.test has a peer of its own. */
    private static final Map<String, List<String>> USERS = new LinkedHashMap<>();

    static {
        for (String domain : List.of("good.test", "untrusted.test", "plain.test", "drop.test", "busy.test", "refusing.test",
            "perm.test", "nomx.test", "rejecting.test", "deferring.test", "sender.test")) {
            USERS.put(domain, List.of("u1@" + domain, "u2@" + domain, "u3@" + domain));
        }
        USERS.put("mixed.test", List.of("u1@mixed.test", "u2@mixed.test", "gone@mixed.test", "later@mixed.test"));
    }

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.setup("OutboundReconciliationIT")
            .confFile("tlsgate-outbound.xml", POLICY)
            .confFile("mailetcontainer.xml", Outbound.mailetContainer(RELAY))
            .override(binder -> binder.bind(DNSService.class).toInstance(DNS))
            .start();
        ca = server.pki().ca();
        CertificateAuthority foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        peer("good.test", SmtpPeer.builder().certificate(serverCertificate("mx.good.test")));
        peer("mixed.test", SmtpPeer.builder().certificate(serverCertificate("mx.mixed.test"))
            .replyToRecipient("gone@mixed.test", "550 5.1.1 no such user")
            .replyToRecipient("later@mixed.test", "450 4.2.1 mailbox busy"));
        peer("untrusted.test", SmtpPeer.builder().certificate(foreign.issueServer("mx.untrusted.test", List.of("mx.untrusted.test"), List.of())));
        peer("plain.test", SmtpPeer.builder().advertiseStartTls(false));
        peer("drop.test", SmtpPeer.builder().certificate(serverCertificate("mx.drop.test")).dropAfterStartTls());
        peer("busy.test", SmtpPeer.builder().certificate(serverCertificate("mx.busy.test")).reply("RCPT", "450 4.2.0 mailbox busy"));
        peer("refusing.test", SmtpPeer.builder().certificate(serverCertificate("mx.refusing.test")).reply("RCPT", "550 5.1.1 no such user"));
        peer("perm.test", SmtpPeer.builder().certificate(serverCertificate("other.host.test")));
        peer("rejecting.test", SmtpPeer.builder().certificate(serverCertificate("mx.rejecting.test"))
            .reply("DATA-END", "554 5.6.0 content rejected"));
        peer("deferring.test", SmtpPeer.builder().certificate(serverCertificate("mx.deferring.test"))
            .reply("DATA-END", "451 4.3.0 try again later"));
        peer("sender.test", SmtpPeer.builder().certificate(serverCertificate("mx.sender.test"))
            .reply("MAIL", "553 5.7.1 sender not allowed"));
    }

    private static io.tlsgate.demo.pki.IssuedCertificate serverCertificate(String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }

    private static void peer(String domain, SmtpPeer.Builder builder) {
        SmtpPeer peer = builder.start();
        PEERS.put(domain, peer);
        DNS.mx(domain, "mx." + domain + ":" + peer.port()).a("mx." + domain, "127.0.0.1");
    }

    @AfterAll
    static void stop() {
        PEERS.values().forEach(SmtpPeer::close);
        if (server != null) {
            server.close();
        }
    }

    private static String where(String domain) {
        return "mx." + domain + "[127.0.0.1]:" + PEERS.get(domain).port();
    }

    private static String domainOf(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    /** Where a recipient must end, and with which DSN status or queued error (a regular expression). */
    private static final class Expected {
        final String fate;
        final String text;

        Expected(String fate, String text) {
            this.fate = fate;
            this.text = text;
        }
    }

    private static Expected expected(String recipient) {
        String domain = domainOf(recipient);
        String giveUp = " \\(giving up after 2 attempts\\)";
        switch (domain) {
            case "good.test":
                return new Expected("delivered", "");
            case "mixed.test":
                if (recipient.startsWith("gone@")) {
                    return new Expected("bounced", "5\\.1\\.1 " + Pattern.quote(where(domain) + ": ") + ".*550 5\\.1\\.1 no such user.*");
                }
                if (recipient.startsWith("later@")) {
                    return new Expected("bounced", "4\\.2\\.1 " + Pattern.quote(where(domain) + ": ") + ".*450 4\\.2\\.1 mailbox busy.*" + giveUp);
                }
                return new Expected("delivered", "");
            case "untrusted.test":
                return new Expected("bounced", Pattern.quote("4.7.0 " + where(domain)
                    + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere") + giveUp);
            case "drop.test":
                return new Expected("bounced", Pattern.quote("4.7.0 " + where(domain) + ": 4.7.0 TLS handshake failed") + ".*" + giveUp);
            case "refusing.test":
                return new Expected("bounced", "5\\.1\\.1 " + Pattern.quote(where(domain) + ": ") + ".*550 5\\.1\\.1 no such user.*");
            case "perm.test":
                return new Expected("bounced", Pattern.quote("5.7.0 " + where(domain)
                    + ": 5.7.0 certificate not trusted: certificate names [other.host.test], not the MX host mx.perm.test"));
            case "rejecting.test":
                return new Expected("bounced", "5\\.6\\.0 " + Pattern.quote(where(domain) + ": ") + ".*554 5\\.6\\.0 content rejected.*");
            case "deferring.test":
                return new Expected("bounced", "4\\.3\\.0 " + Pattern.quote(where(domain) + ": ") + ".*451 4\\.3\\.0 try again later.*" + giveUp);
            case "sender.test":
                return new Expected("bounced", "5\\.7\\.1 " + Pattern.quote(where(domain) + ": ") + ".*553 5\\.7\\.1 sender not allowed.*");
            case "nomx.test":
                return new Expected("bounced", Pattern.quote("5.4.4 no mail server found for nomx.test"));
            case "plain.test":
                return new Expected("queued", Pattern.quote("4.7.0 " + where(domain) + ": 4.7.0 the server does not offer STARTTLS"));
            case "busy.test":
                return new Expected("queued", "4\\.2\\.0 " + Pattern.quote(where(domain) + ": ") + ".*450 4\\.2\\.0 mailbox busy.*");
            default:
                throw new IllegalArgumentException(recipient);
        }
    }

    /** The messages to send: subject to recipients; seeded, so every run sends the same. */
    private static Map<String, List<String>> messages() {
        Random random = new Random(20240211);
        List<String> all = USERS.values().stream().flatMap(List::stream).collect(Collectors.toList());
        List<String> healthy = new ArrayList<>(USERS.get("good.test"));
        healthy.addAll(USERS.get("mixed.test").subList(0, 2));
        Map<String, List<String>> messages = new LinkedHashMap<>();
        for (int i = 0; i < MESSAGES; i++) {
            List<String> recipients = new ArrayList<>();
            // Most messages mix a healthy destination with others, so that the split per domain is exercised.
            if (random.nextInt(4) != 0) {
                recipients.add(healthy.get(random.nextInt(healthy.size())));
            }
            int count = 1 + random.nextInt(4);
            while (recipients.size() < count) {
                String candidate = all.get(random.nextInt(all.size()));
                if (!recipients.contains(candidate)) {
                    recipients.add(candidate);
                }
            }
            Collections.shuffle(recipients, random);
            messages.put(String.format("recon-%03d", i), recipients);
        }
        // And the orders of a temporary and a permanent refusal in one transaction, with and without a recipient accepted.
        List<List<String>> mixes = List.of(
            List.of("later@mixed.test", "gone@mixed.test"), List.of("gone@mixed.test", "later@mixed.test"),
            List.of("u1@mixed.test", "later@mixed.test", "gone@mixed.test"), List.of("gone@mixed.test", "u2@mixed.test", "later@mixed.test"),
            List.of("later@mixed.test", "u1@mixed.test", "gone@mixed.test", "u1@good.test"));
        for (int i = 0; i < mixes.size(); i++) {
            messages.put(String.format("recon-%03d", MESSAGES + i), mixes.get(i));
        }
        return messages;
    }

    /** Where every (subject, recipient) pair is seen now, and how often. */
    private static final class Ledger {
        final Map<String, Integer> delivered = new TreeMap<>();
        final Map<String, Integer> queued = new TreeMap<>();
        final Map<String, Integer> bounced = new TreeMap<>();
        final Map<String, String> queuedError = new TreeMap<>();
        final Map<String, List<String>> dsnStatus = new TreeMap<>();
        final List<String> strays = new ArrayList<>();
        boolean mainQueueEmpty = true;
        boolean slowQueueSettled = true;
        boolean peersIdle = true;

        static Ledger now() {
            Ledger ledger = new Ledger();
            for (Map.Entry<String, SmtpPeer> peer : PEERS.entrySet()) {
                for (Received message : peer.getValue().messages()) {
                    Matcher subject = SUBJECT.matcher(message.text());
                    if (!subject.find()) {
                        ledger.strays.add(peer.getKey() + " received a message without a recon subject: " + message);
                        continue;
                    }
                    for (String recipient : message.recipients()) {
                        if (!domainOf(recipient).equals(peer.getKey())) {
                            ledger.strays.add(peer.getKey() + " received " + recipient + " of " + subject.group(1));
                        }
                        ledger.delivered.merge(subject.group(1) + " " + recipient, 1, Integer::sum);
                    }
                }
                ledger.peersIdle &= peer.getValue().sessions().stream().allMatch(Session::ended);
            }
            for (String queue : List.of(QUEUE, SLOW_QUEUE)) {
                for (QueueProbe.Queued item : server.queue(queue)) {
                    if (queue.equals(QUEUE)) {
                        ledger.mainQueueEmpty = false;
                    } else if (item.retries < 1) {
                        ledger.slowQueueSettled = false;
                    }
                    for (String recipient : item.recipients) {
                        ledger.queued.merge(item.subject + " " + recipient, 1, Integer::sum);
                        ledger.queuedError.put(item.subject + " " + recipient, item.error + " (retries " + item.retries + ")");
                    }
                }
            }
            for (Dsn dsn : Outbound.dsns(server)) {
                for (Dsn.Recipient recipient : dsn.recipients) {
                    String pair = dsn.originalSubject + " " + recipient.address();
                    ledger.bounced.merge(pair, 1, Integer::sum);
                    ledger.dsnStatus.computeIfAbsent(pair, p -> new ArrayList<>()).add(recipient.action + " | " + recipient.status);
                }
            }
            return ledger;
        }

        int accounted() {
            return delivered.size() + queued.size() + bounced.size();
        }

        boolean quiet(int expectedPairs) {
            return mainQueueEmpty && slowQueueSettled && peersIdle && accounted() >= expectedPairs;
        }

        String fingerprint() {
            return delivered + "|" + queued + "|" + bounced + "|" + mainQueueEmpty + slowQueueSettled + peersIdle;
        }
    }

    /** Waits until every pair is accounted for, queues are settled, and nothing changes for {@link #STABLE_FOR}. */
    private static Ledger awaitQuiet(int expectedPairs) throws InterruptedException {
        long deadline = System.nanoTime() + QUIET_DEADLINE.toNanos();
        String stable = null;
        long stableSince = 0;
        while (true) {
            Ledger ledger = Ledger.now();
            String fingerprint = ledger.fingerprint();
            if (!fingerprint.equals(stable)) {
                stable = fingerprint;
                stableSince = System.nanoTime();
            } else if (ledger.quiet(expectedPairs) && System.nanoTime() - stableSince >= STABLE_FOR.toNanos()) {
                return ledger;
            }
            if (System.nanoTime() > deadline) {
                // Not quiet in time: reconcile what there is, the assertions say what is missing.
                return ledger;
            }
            Thread.sleep(200);
        }
    }

    @Test
    void everyRecipientOfEveryMessageEndsExactlyOnceWhereItsDestinationSays() throws Exception {
        Map<String, List<String>> messages = messages();
        ExecutorService submitters = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> submissions = new ArrayList<>();
            messages.forEach((subject, recipients) ->
                submissions.add(submitters.submit(() -> Outbound.submit(server, ca.certificate(), subject, recipients))));
            for (Future<?> submission : submissions) {
                submission.get();
            }
        } finally {
            submitters.shutdownNow();
        }
        Map<String, String> submitted = new TreeMap<>();
        messages.forEach((subject, recipients) -> recipients.forEach(r -> submitted.put(subject + " " + r, r)));
        assertThat(messages.values().stream().filter(r -> r.stream().map(OutboundReconciliationIT::domainOf).distinct().count() > 1))
            .as("messages mixing domains").hasSizeGreaterThan(MESSAGES / 2);

        Ledger ledger = awaitQuiet(submitted.size());

        assertThat(ledger.strays).isEmpty();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> totals = new TreeMap<>();
        for (Map.Entry<String, String> pair : submitted.entrySet()) {
            String key = pair.getKey();
            int d = ledger.delivered.getOrDefault(key, 0);
            int q = ledger.queued.getOrDefault(key, 0);
            int b = ledger.bounced.getOrDefault(key, 0);
            Expected expected = expected(pair.getValue());
            String fate = d + q + b != 1 ? "delivered " + d + ", queued " + q + ", bounced " + b
                : d == 1 ? "delivered" : q == 1 ? "queued" : "bounced";
            totals.merge(fate, 1, Integer::sum);
            if (!fate.equals(expected.fate)) {
                problems.add(key + ": " + fate + ", expected " + expected.fate
                    + (q > 0 ? "; queued: " + ledger.queuedError.get(key) : "") + (b > 0 ? "; DSN: " + ledger.dsnStatus.get(key) : ""));
            } else if (fate.equals("queued") && !ledger.queuedError.get(key).matches(expected.text + " \\(retries 1\\)")) {
                problems.add(key + ": queued with " + ledger.queuedError.get(key) + ", expected /" + expected.text + "/ (retries 1)");
            } else if (fate.equals("bounced") && !ledger.dsnStatus.get(key).get(0).matches("failed \\| " + expected.text)) {
                problems.add(key + ": DSN " + ledger.dsnStatus.get(key) + ", expected failed | /" + expected.text + "/");
            }
        }
        for (Map<String, Integer> seen : List.of(ledger.delivered, ledger.queued, ledger.bounced)) {
            seen.keySet().stream().filter(key -> !submitted.containsKey(key)).forEach(key -> problems.add(key + ": never submitted"));
        }
        assertThat(problems).as("pairs out of place (of %d submitted; totals %s)", submitted.size(), totals).isEmpty();
        assertThat(totals.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(submitted.size());
        assertThat(totals).containsOnlyKeys("delivered", "queued", "bounced");

        // Nothing fell into the error processor (a mailet exception, a bounce with nobody to tell).
        assertThat(server.james().getProbe(MailRepositoryProbeImpl.class).getRepositoryMailCount(ERROR_REPOSITORY)).isZero();
        // Refused destinations never saw MAIL FROM; and no peer had trouble of its own.
        for (String refused : List.of("untrusted.test", "plain.test", "perm.test", "drop.test")) {
            assertThat(PEERS.get(refused).sessions()).as(refused).noneMatch(Session::sawMailFrom);
        }
        PEERS.forEach((domain, peer) -> assertThat(peer.errors()).as("errors inside the peer of %s", domain).isEmpty());
    }
}
