package io.tlsgate.bench.relay;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.utils.GuiceProbe;

import com.google.inject.multibindings.Multibinder;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Handshake;
import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;

/**
 * Relay throughput: James's stock {@code RemoteDelivery} (startTLS, verifyServerIdentity) against TLS Gate's
 * {@code TlsRemoteDelivery} (level verify, the demo CA), without and with connection reuse, in one James 3.8.1 and one
 * run, all to the same local TLS peer.
 *
 * <p>One James (the demo's memory server, TLS Gate loaded from extensions-jars/) with three processors:
 * {@code relay-stock} ({@code RemoteDelivery}, queue {@code outgoing}), {@code relay-tlsgate} ({@code TlsRemoteDelivery},
 * queue {@code outgoing-tlsgate}) and {@code relay-tlsgate-reuse} ({@code TlsRemoteDelivery} with
 * {@code <connectionReuse>true</connectionReuse>}, queue {@code outgoing-tlsgate-reuse}). Mail for
 * {@code stock.bench.test}, {@code tlsgate.bench.test} and {@code reuse.bench.test} is handed to James's spool straight
 * into its processor (the mailet context's {@code sendMail}, as a mailet would), the same way for all. The three
 * domains have one MX, {@code localhost:<port>} of one {@link SmtpPeer} that offers STARTTLS with a certificate from
 * the demo CA naming {@code localhost}; the peer makes a fresh TLS context per connection, so every connection is a
 * full handshake on every path. The peer's sessions that carried each batch are counted: one per mail without
 * reuse, fewer with it.
 *
 * <p>Why {@code localhost}: with {@code verifyServerIdentity} (its default) stock RemoteDelivery connects by host
 * name through the JVM's resolver, not James's DNS, so the MX must be a name the JVM resolves; it then trusts through
 * the JVM's default SSL context, which this program sets to trust the demo CA only (what
 * {@code -Djavax.net.ssl.trustStore} would do, had the CA existed before James generated it). Every path therefore
 * checks the chain and the name.
 *
 * <p>A warm-up of each path, then rounds: in each round N messages on one path, measured from the first hand-over to
 * the spool until the peer has accepted all N, then N on the next (never two at once); the order rotates between
 * rounds (over a multiple of three rounds each path goes first, second and third equally often), and each batch is let
 * settle (queue empty, every connection closed) before the next. The headline figure of a path is all its messages
 * over all its time. Figures are printed only after checking that every message arrived exactly once, over TLS, to its
 * recipient, that the queues are empty and that nothing bounced.
 *
 * <p>The mailets deliver in parallel: stock on Reactor's bounded elastic pool (10 threads per core), TLS Gate on 16
 * threads of its own. Everything runs in this one JVM (James, the mailets, the peer and the thread that hands mail
 * over), so msg/s is what the machine does for the whole exchange; the cpu column is the process's CPU time per
 * message. Only ratios from the same run are comparable; the load average is printed because other work on the
 * machine moves the figures.
 *
 * <pre>java -jar benchmarks/target/tlsgate-benchmarks-relay.jar [--messages N] [--warmup N] [--rounds R] [--reuse-limit N] [--work DIR]</pre>
 */
public final class RelayBenchmark {
    static final String STOCK_DOMAIN = "stock.bench.test";
    static final String TLSGATE_DOMAIN = "tlsgate.bench.test";
    static final String REUSE_DOMAIN = "reuse.bench.test";
    static final String ID_HEADER = "X-Relay-Bench-Id";
    private static final String MX = "localhost";
    private static final int BODY_BYTES = 1024;

    /** One relay path (a route): a processor of the benchmark's mailetcontainer.xml and a recipient domain. */
    enum Route {
        STOCK("RemoteDelivery", "relay-stock", STOCK_DOMAIN, "outgoing", "RemoteDelivery-"),
        TLSGATE("TlsRemoteDelivery", "relay-tlsgate", TLSGATE_DOMAIN, "outgoing-tlsgate", "TlsGate-Relay"),
        REUSE("TlsRemoteDelivery+reuse", "relay-tlsgate-reuse", REUSE_DOMAIN, "outgoing-tlsgate-reuse", "TlsGate-Relay");

        final String label;
        final String processor;
        final String domain;
        final String queue;
        /** The names of the mailet's own threads (its dequeuer and its delivery workers). */
        final String threads;

        Route(String label, String processor, String domain, String queue, String threads) {
            this.label = label;
            this.processor = processor;
            this.domain = domain;
            this.queue = queue;
            this.threads = threads;
        }
    }

    private static final String POLICY = "<?xml version=\"1.0\"?>\n"
        + "<outbound>\n"
        + "    <verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>\n"
        + "    <default><level>verify</level><minCipherBits>128</minCipherBits><minProtocol>TLSv1.2</minProtocol></default>\n"
        + "</outbound>\n";

    /** The delivery settings both mailets share (those of conf-samples/inbound-gate). */
    private static final String COMMON = ""
        + "            <delayTime>10 minutes, 1 hour, 4 hours</delayTime>\n"
        + "            <maxRetries>3</maxRetries>\n"
        + "            <maxDnsProblemRetries>0</maxDnsProblemRetries>\n"
        + "            <sendpartial>true</sendpartial>\n"
        + "            <bounceProcessor>bounces</bounceProcessor>\n";

    private static String mailets(int reuseLimit) {
        return "<?xml version=\"1.0\"?>\n"
        + "<mailetcontainer enableJmx=\"true\">\n"
        + "    <context><postmaster>postmaster@demo.test</postmaster></context>\n"
        + "    <spooler><threads>4</threads><errorRepository>memory://var/mail/error/</errorRepository></spooler>\n"
        + "    <processors>\n"
        + "        <processor state=\"root\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"ToProcessor\"><processor>transport</processor></mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"error\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/error/</repositoryPath></mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"transport\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"RemoveMimeHeader\"><name>bcc</name></mailet>\n"
        + "            <mailet match=\"RecipientIsLocal\" class=\"LocalDelivery\"/>\n"
        + "            <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/unexpected/</repositoryPath></mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"relay-stock\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"RemoteDelivery\">\n"
        + "                <outgoing>outgoing</outgoing>\n"
        + "                <startTLS>true</startTLS>\n"
        + "                <verifyServerIdentity>true</verifyServerIdentity>\n"
        + COMMON
        + "            </mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"relay-tlsgate\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">\n"
        + "                <policy>file://conf/tlsgate-outbound.xml</policy>\n"
        + COMMON
        + "            </mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"relay-tlsgate-reuse\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">\n"
        + "                <policy>file://conf/tlsgate-outbound.xml</policy>\n"
        + "                <outgoing>outgoing-tlsgate-reuse</outgoing>\n"
        + "                <connectionReuse>true</connectionReuse>\n"
        + "                <connectionReuseLimit>" + reuseLimit + "</connectionReuseLimit>\n"
        + COMMON
        + "            </mailet>\n"
        + "        </processor>\n"
        + "        <processor state=\"bounces\" enableJmx=\"true\">\n"
        + "            <mailet match=\"All\" class=\"DSNBounce\"><passThrough>false</passThrough></mailet>\n"
        + "        </processor>\n"
        + "    </processors>\n"
        + "</mailetcontainer>\n";
    }

    private final int messages;
    private final int warmup;
    private final int rounds;
    private final int reuseLimit;
    private final DemoServer server;
    private final SmtpPeer peer;
    private final Session mailSession = Session.getInstance(new Properties());
    /** Every id handed to James, with its path. */
    private final Map<String, Route> sent = new LinkedHashMap<>();
    private final List<Batch> batches = new ArrayList<>();

    private RelayBenchmark(int messages, int warmup, int rounds, int reuseLimit, DemoServer server, SmtpPeer peer) {
        this.messages = messages;
        this.warmup = warmup;
        this.rounds = rounds;
        this.reuseLimit = reuseLimit;
        this.server = server;
        this.peer = peer;
    }

    /** One timed batch on one path. */
    static final class Batch {
        final int round;
        final Route route;
        final int count;
        final long nanos;
        final long enqueueNanos;
        final long cpuNanos;
        final long mailetCpuNanos;
        final long gcMillis;
        /** The peer's sessions that carried this batch's messages: the connections the path opened for it. */
        final int connections;

        Batch(int round, Route route, int count, long nanos, long enqueueNanos, long cpuNanos, long mailetCpuNanos, long gcMillis,
              int connections) {
            this.round = round;
            this.route = route;
            this.count = count;
            this.nanos = nanos;
            this.enqueueNanos = enqueueNanos;
            this.cpuNanos = cpuNanos;
            this.mailetCpuNanos = mailetCpuNanos;
            this.gcMillis = gcMillis;
            this.connections = connections;
        }

        double perSecond() {
            return count / (nanos / 1e9);
        }

        double cpuMillisPerMessage() {
            return cpuNanos / 1e6 / count;
        }

        double mailetCpuMillisPerMessage() {
            return mailetCpuNanos / 1e6 / count;
        }
    }

    public static void main(String[] args) throws Exception {
        int messages = 500;
        int warmup = 300;
        int rounds = 6;
        int reuseLimit = 10;
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages":
                    messages = positive(args, ++i);
                    break;
                case "--warmup":
                    warmup = Integer.parseInt(value(args, i++));
                    break;
                case "--rounds":
                    rounds = positive(args, ++i);
                    break;
                case "--reuse-limit":
                    reuseLimit = positive(args, ++i);
                    break;
                case "--work":
                    work = Path.of(value(args, i++));
                    break;
                case "--help":
                case "-h":
                    usage(null);
                    break;
                default:
                    usage("unknown argument " + args[i]);
            }
        }
        if (warmup < 0) {
            usage("--warmup must be 0 or more");
        }
        Path home = DemoServer.home();
        if (work == null) {
            work = ownDirectory().resolve("relay-bench-work");
        }
        work = work.toAbsolutePath();
        System.setProperty("working.directory", work.toString());
        System.setProperty("logback.configurationFile", RelayBenchmark.class.getResource("/relay-bench-logback.xml").toString());
        System.setProperty("james.exit.on.startup.error", "false");
        int status;
        try {
            status = run(home, work, messages, warmup, rounds, reuseLimit);
        } catch (Exception | AssertionError e) {
            System.err.println("RELAY BENCHMARK FAILED: " + e.getMessage());
            e.printStackTrace();
            System.err.println("James log: " + work.resolve("logs/james.log"));
            status = 1;
        }
        System.exit(status);
    }

    private static int run(Path home, Path work, int messages, int warmup, int rounds, int reuseLimit) throws Exception {
        DemoDns dns = new DemoDns();
        System.out.println("Starting James 3.8.1 with TLS Gate from " + home.resolve("extensions-jars") + " in " + work
            + " (log: " + work.resolve("logs/james.log") + ")");
        try (DemoServer server = new DemoServer.Setup(home, work)
                .confFile("mailetcontainer.xml", mailets(reuseLimit))
                .confFile("tlsgate-outbound.xml", POLICY)
                .override(binder -> {
                    binder.bind(DNSService.class).toInstance(dns);
                    Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(SpoolProbe.class);
                })
                .start()) {
            CertificateAuthority ca = server.pki().ca();
            SSLContext.setDefault(trusting(ca));
            try (SmtpPeer peer = SmtpPeer.builder().certificate(ca.issueServer(MX, List.of(MX), List.of())).start()) {
                for (Route route : Route.values()) {
                    dns.mx(route.domain, MX + ":" + peer.port());
                }
                new RelayBenchmark(messages, warmup, rounds, reuseLimit, server, peer).run();
            }
        }
        return 0;
    }

    /** The JVM's default SSL context as a trust store holding the demo CA would make it: what stock RemoteDelivery trusts. */
    private static SSLContext trusting(CertificateAuthority ca) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("tlsgate-demo-ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "Peer on 127.0.0.1:%d (MX %s of %s, %s and %s); %d message(s) per path per round, %d round(s),"
            + " warm-up %d per path; connection reuse: at most %d messages per connection, idle 2 s; load average %s%n", peer.port(), MX,
            STOCK_DOMAIN, TLSGATE_DOMAIN, REUSE_DOMAIN, messages, rounds, warmup, reuseLimit, loadAverage());
        if (warmup > 0) {
            for (Route route : Route.values()) {
                Batch batch = batch(0, route, warmup);
                System.out.printf(Locale.ROOT, "warm-up   %-24s %5d in %6.2f s%n", route.label, warmup, batch.nanos / 1e9);
                settle(route);
            }
        }
        for (int round = 1; round <= rounds; round++) {
            // Each path goes first, second and third equally often over every three rounds.
            List<Route> order = new ArrayList<>(List.of(Route.values()));
            Collections.rotate(order, -((round - 1) % order.size()));
            for (Route route : order) {
                Batch batch = batch(round, route, messages);
                batches.add(batch);
                System.out.printf(Locale.ROOT, "round %-3d %-24s %5d in %6.2f s, %d connection(s)%n", round, route.label, messages,
                    batch.nanos / 1e9, batch.connections);
                settle(route);
            }
        }
        verify();
        report();
    }

    /**
     * Lets a batch finish for good before the next starts: its queue empty (items are acknowledged after the peer has
     * the message), every connection closed (reused ones after their idle time), its garbage collected, a short pause.
     * Otherwise the tail of one path runs into the next batch.
     */
    private void settle(Route route) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!server.queue(route.queue).isEmpty() || !peer.sessions().stream().allMatch(io.tlsgate.demo.peer.Session::ended))
            && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.gc();
        Thread.sleep(500);
    }

    /** N messages on one path: built first, then handed to the spool as fast as one thread can, timed until all arrived. */
    private Batch batch(int round, Route route, int count) throws Exception {
        String prefix = (round == 0 ? "warmup" : "r" + round) + "-" + route.name().toLowerCase(Locale.ROOT) + "-";
        MailAddress sender = new MailAddress(DemoServer.USER);
        List<MailAddress> recipients = new ArrayList<>(count);
        List<MimeMessage> built = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            MailAddress recipient = new MailAddress("user" + (i % 50) + "@" + route.domain);
            recipients.add(recipient);
            built.add(message(id, recipient));
            sent.put(id, route);
        }
        SpoolProbe spool = server.james().getProbe(SpoolProbe.class);
        int before = peer.messages().size();
        long gcBefore = gcMillis();
        long cpuBefore = processCpuNanos();
        Map<Long, Long> mailetBefore = threadCpuNanos(route.threads);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            spool.send(sender, recipients.get(i), built.get(i), route.processor);
        }
        long enqueued = System.nanoTime();
        Duration timeout = Duration.ofSeconds(120 + count / 5);
        try {
            peer.awaitMessages(before + count, timeout);
        } catch (IllegalStateException e) {
            throw new AssertionError(route.label + " did not deliver " + count + " message(s) within " + timeout.toSeconds()
                + " s: the peer has " + (peer.messages().size() - before) + " of them; still queued on " + route.queue + ": "
                + server.queue(route.queue).size() + " " + first(server.queue(route.queue)) + "; peer errors: " + peer.errors());
        }
        long end = System.nanoTime();
        long cpu = processCpuNanos() - cpuBefore;
        int connections = (int) peer.messages().subList(before, before + count).stream().mapToInt(Received::sessionId).distinct().count();
        long mailetCpu = 0;
        for (Map.Entry<Long, Long> thread : threadCpuNanos(route.threads).entrySet()) {
            mailetCpu += thread.getValue() - mailetBefore.getOrDefault(thread.getKey(), 0L);
        }
        return new Batch(round, route, count, end - start, enqueued - start, cpu, mailetCpu, gcMillis() - gcBefore, connections);
    }

    private static String first(List<QueueProbe.Queued> queued) {
        return queued.isEmpty() ? "" : "first: " + queued.get(0);
    }

    private MimeMessage message(String id, MailAddress recipient) throws MessagingException {
        MimeMessage message = new MimeMessage(mailSession);
        message.setFrom(new InternetAddress(DemoServer.USER));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(recipient.asString()));
        message.setSubject("relay benchmark " + id);
        message.setHeader(ID_HEADER, id);
        message.setHeader("Message-ID", "<" + id + "." + System.nanoTime() + "@relay-bench.demo.test>");
        StringBuilder body = new StringBuilder(BODY_BYTES);
        while (body.length() < BODY_BYTES) {
            body.append("The quick brown fox jumps over the lazy dog, message ").append(id).append(".\r\n");
        }
        message.setText(body.toString(), "us-ascii");
        return message;
    }

    /** Every message once, over TLS, to its own recipient; nothing left queued, bounced or failed. Throws otherwise. */
    private void verify() throws InterruptedException {
        // Late duplicates would come now: give the queues a moment to settle before counting.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
            && java.util.Arrays.stream(Route.values()).anyMatch(route -> !server.queue(route.queue).isEmpty())) {
            Thread.sleep(100);
        }
        Thread.sleep(1000);
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new TreeMap<>();
        for (Received received : peer.messages()) {
            String id = header(received.text(), ID_HEADER);
            Route route = sent.get(id);
            if (route == null) {
                problems.add("unexpected message at the peer: " + received);
                continue;
            }
            seen.merge(id, 1, Integer::sum);
            if (!received.tls()) {
                problems.add(id + " arrived without TLS");
            }
            if (received.recipients().size() != 1 || !received.recipients().get(0).endsWith("@" + route.domain)) {
                problems.add(id + " arrived for " + received.recipients() + ", not one recipient at " + route.domain);
            }
        }
        for (Map.Entry<String, Route> expected : sent.entrySet()) {
            int times = seen.getOrDefault(expected.getKey(), 0);
            if (times != 1) {
                problems.add(expected.getKey() + " (" + expected.getValue().label + ") arrived " + times + " time(s)");
            }
        }
        for (Route route : Route.values()) {
            if (!server.queue(route.queue).isEmpty()) {
                problems.add(server.queue(route.queue).size() + " mail(s) still in queue " + route.queue + ", " + first(server.queue(route.queue)));
            }
        }
        List<String> bounces = server.inbox(DemoServer.USER);
        if (!bounces.isEmpty()) {
            problems.add(bounces.size() + " bounce(s) in " + DemoServer.USER + "'s INBOX");
        }
        if (!peer.errors().isEmpty()) {
            problems.add("peer errors: " + peer.errors());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s): " + problems.stream().limit(20).collect(Collectors.joining("; ")));
        }
        Map<Route, Long> counted = sent.values().stream().collect(Collectors.groupingBy(p -> p, TreeMap::new, Collectors.counting()));
        System.out.println();
        System.out.println("Checked: each of the " + sent.size() + " messages (" + counted.entrySet().stream()
            .map(e -> e.getValue() + " via " + e.getKey().label).collect(Collectors.joining(", "))
            + ", warm-up included) arrived exactly once, over TLS, to its recipient; queues empty; no bounce.");
    }

    private static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    private void report() {
        System.out.println("TLS the peer negotiated, per path: " + handshakes());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-6s %-24s %8s %9s %10s %11s %12s %15s %8s %12s%n",
            "round", "path", "messages", "seconds", "msg/s", "enqueue s", "cpu ms/msg", "mailet cpu ms", "gc ms", "connections");
        for (Batch b : batches) {
            System.out.printf(Locale.ROOT, "%-6d %-24s %8d %9.2f %10.1f %11.3f %12.2f %15.2f %8d %12d%n", b.round, b.route.label, b.count,
                b.nanos / 1e9, b.perSecond(), b.enqueueNanos / 1e9, b.cpuMillisPerMessage(), b.mailetCpuMillisPerMessage(), b.gcMillis,
                b.connections);
        }
        System.out.println("(cpu: the whole process, per message; mailet cpu: the mailet's own threads, per message: its"
            + " delivery work including the client side of the TLS handshake; connections: the peer's sessions that carried the"
            + " batch)");
        System.out.println();
        System.out.printf(Locale.ROOT, "%-42s %12s %14s %13s %9s %12s %10s %14s%n", "path (all rounds)", "msg/s", "median/round",
            "range", "vs stock", "connections", "msg/conn", "mailet cpu ms");
        describe(Route.STOCK, "RemoteDelivery (stock, startTLS)");
        describe(Route.TLSGATE, "TlsRemoteDelivery (TLS Gate, verify)");
        describe(Route.REUSE, "TlsRemoteDelivery+reuse (verify, reuse on)");
        System.out.println();
        ratio(Route.TLSGATE, Route.STOCK);
        ratio(Route.REUSE, Route.STOCK);
        ratio(Route.REUSE, Route.TLSGATE);
        System.out.printf(Locale.ROOT, "mailet threads' CPU per message: RemoteDelivery %.2f ms, TlsRemoteDelivery %.2f ms (ratio %.2f),"
            + " TlsRemoteDelivery+reuse %.2f ms (ratio %.2f; all rounds)%n", mailetCpu(Route.STOCK), mailetCpu(Route.TLSGATE),
            mailetCpu(Route.TLSGATE) / mailetCpu(Route.STOCK), mailetCpu(Route.REUSE), mailetCpu(Route.REUSE) / mailetCpu(Route.STOCK));
        if (rounds % Route.values().length != 0) {
            System.out.println("(rounds not a multiple of " + Route.values().length + ": the paths did not go first equally often)");
        }
        System.out.println();
        System.out.println(environment());
        System.out.println("command: java -jar benchmarks/target/tlsgate-benchmarks-relay.jar --messages " + messages
            + " --warmup " + warmup + " --rounds " + rounds + " --reuse-limit " + reuseLimit);
    }

    private void describe(Route route, String label) {
        List<Batch> of = batches.stream().filter(b -> b.route == route).collect(Collectors.toList());
        int count = of.stream().mapToInt(b -> b.count).sum();
        int connections = of.stream().mapToInt(b -> b.connections).sum();
        System.out.printf(Locale.ROOT, "%-42s %12.1f %14.1f %13s %9.2f %12d %10.1f %14.2f%n", label, overall(route), median(route),
            range(route), overall(route) / overall(Route.STOCK), connections, (double) count / connections, mailetCpu(route));
    }

    /** "ratio A / B: all rounds (per round ...; median)": only ratios from the same run are comparable. */
    private void ratio(Route over, Route under) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            ratios.add(rate(round, over) / rate(round, under));
        }
        System.out.printf(Locale.ROOT, "ratio %s / %s: %7.2f  (all rounds; per round: %s; median %.2f)%n", over.label, under.label,
            overall(over) / overall(under), ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", ")),
            median(ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray()));
    }

    private double rate(int round, Route route) {
        return batches.stream().filter(b -> b.round == round && b.route == route).findFirst().orElseThrow().perSecond();
    }

    private double mailetCpu(Route route) {
        List<Batch> of = batches.stream().filter(b -> b.route == route).collect(Collectors.toList());
        return of.stream().mapToLong(b -> b.mailetCpuNanos).sum() / 1e6 / of.stream().mapToInt(b -> b.count).sum();
    }

    /** Messages over seconds, all rounds of the path together. */
    private double overall(Route route) {
        List<Batch> of = batches.stream().filter(b -> b.route == route).collect(Collectors.toList());
        return of.stream().mapToInt(b -> b.count).sum() / (of.stream().mapToLong(b -> b.nanos).sum() / 1e9);
    }

    private String range(Route route) {
        double[] rates = batches.stream().filter(b -> b.route == route).mapToDouble(Batch::perSecond).sorted().toArray();
        return String.format(Locale.ROOT, "%.1f-%.1f", rates[0], rates[rates.length - 1]);
    }

    private double median(Route route) {
        return median(batches.stream().filter(b -> b.route == route).mapToDouble(Batch::perSecond).sorted().toArray());
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** "RemoteDelivery: 600 TLSv1.3 TLS_AES_256_GCM_SHA384; ..." counted over the messages of each route. */
    private String handshakes() {
        Map<Integer, String> bySession = new LinkedHashMap<>();
        peer.sessions().forEach(s -> bySession.put(s.id(), s.handshake().filter(Handshake::succeeded)
            .map(h -> h.protocol() + " " + h.cipherSuite()).orElse("no TLS")));
        Map<Route, Map<String, Long>> counts = new TreeMap<>();
        for (Received received : peer.messages()) {
            Route route = sent.get(header(received.text(), ID_HEADER));
            counts.computeIfAbsent(route, p -> new TreeMap<>()).merge(bySession.get(received.sessionId()), 1L, Long::sum);
        }
        return counts.entrySet().stream().map(e -> e.getKey().label + ": " + e.getValue().entrySet().stream()
            .map(c -> c.getValue() + " " + c.getKey()).collect(Collectors.joining(", "))).collect(Collectors.joining("; "));
    }

    static String environment() {
        Runtime runtime = Runtime.getRuntime();
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "JVM: %s %s (%s), max heap %d MiB, GC %s%nCPU: %d available processor(s), %s;"
                + " load average now %s%nOS: %s %s %s",
            System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
            runtime.maxMemory() / (1024 * 1024), gcs, runtime.availableProcessors(), cpuModel(), loadAverage(),
            System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
    }

    /** The 1, 5 and 15 minute load averages: other work on the machine shows here, and in the figures. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
                .orElse("model unknown");
        } catch (IOException | RuntimeException e) {
            return "model unknown";
        }
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
            ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
    }

    /** CPU time so far of each live thread whose name starts so, by thread id. */
    private static Map<Long, Long> threadCpuNanos(String namePrefix) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(namePrefix)) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), nanos);
                }
            }
        }
        return cpu;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static Path ownDirectory() {
        try {
            return Path.of(RelayBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            usage(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        try {
            int n = Integer.parseInt(args[i]);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        usage(args[i - 1] + " needs a whole number above 0, not " + args[i]);
        return 0;
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar benchmarks/target/tlsgate-benchmarks-relay.jar [--messages N (500)] [--warmup N (300)]"
            + " [--rounds R (6)] [--reuse-limit N (10): connectionReuseLimit of the reuse path] [--work DIR (benchmarks/target/relay-bench-work)]");
        System.exit(problem == null ? 0 : 2);
    }
}
