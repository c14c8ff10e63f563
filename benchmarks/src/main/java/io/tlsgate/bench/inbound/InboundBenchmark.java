package io.tlsgate.bench.inbound;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * Inbound throughput: the same James 3.8.1 SMTP listener with and without the TLS Gate handler, in one James and one
 * run, under N concurrent clients that each open STARTTLS sessions with a client certificate and send M messages
 * per session.
 *
 * <p>Three listeners, identical (STARTTLS, the demo server certificate, the same handler chain: ValidRcptHandler and
 * James's core handlers) except for who checks the client certificate:
 * <ul>
 * <li>{@code stock}: James's {@code <clientAuth>} (the client certificate is required and verified by James's
 * truststore during the handshake), no TLS Gate handler. The baseline.</li>
 * <li>{@code gate}: the same listener with the TLS Gate handler first in its chain, rule {@code verify} with an
 * identity (dnsName glob, issuer DN), protocol and cipher floor. Pair (a): what the gate adds to a stock listener
 * that already verifies certificates.</li>
 * <li>{@code asking}: TLS Gate's own listener (tlsgate-listeners.xml: the handshake asks for a certificate, TLS Gate
 * verifies it itself against its anchors and the CA's CRL file, with its verification cache), same rule. Pair (b):
 * TLS Gate doing the whole certificate job against James doing it at the TLS layer.</li>
 * </ul>
 * Each listener hands its mail to its own memory repository (by recipient), the same mailet for all.
 *
 * <p>Before measuring, a certificate from the same CA that the rule does not accept (mx.elsewhere.demo.test) is shown
 * to each listener: {@code stock} must accept it and both gate listeners must refuse it (554 5.7.0), which proves the
 * gate is in the path being measured. Then, for each client count: a warm-up of every listener, then rounds; in
 * each round one batch per listener (S sessions over N client threads, M messages each), one listener at a time,
 * the order rotating between rounds. A batch is timed from the first connection to the last QUIT reply; then the
 * spool is let drain (untimed) so that no batch pays for the previous one. Every session is a full handshake (the
 * client does not resume sessions). Each client thread has its own certificate (distinct chains, as distinct peers).
 *
 * <p>Two ratios per pair: msg/s (what a client sees; on a shared machine it also moves with whatever else runs) and
 * the CPU this process spent per message (stock over gate: what the gate costs the machine; James and the clients are
 * CPU-bound here, so on a dedicated machine msg/s follows it).
 *
 * <p>Figures are printed only after checking that every message sent on each listener is in that listener's
 * repository exactly once, and nothing elsewhere. Everything (James, the clients) runs in this one JVM.
 *
 * <pre>java -jar benchmarks/target/tlsgate-benchmarks-inbound.jar [--clients 8,32] [--sessions S] [--messages M] [--rounds R] [--warmup W] [--work DIR]</pre>
 */
public final class InboundBenchmark {
    static final String ID_HEADER = "X-Inbound-Bench-Id";
    private static final int BODY_BYTES = 1024;
    private final Settings settings;
    private final DemoServer server;
    private final List<SSLContext> clientContexts;
    private final String body;
    private final AtomicInteger nextId = new AtomicInteger();
    /** Every message id sent, with its listener. */
    private final Map<String, Listener> sent = new ConcurrentHashMap<>();
    private final Map<Listener, Map<String, Integer>> negotiated = new ConcurrentHashMap<>();
    private final List<Batch> batches = new ArrayList<>();

    /** The run's parameters. */
    static final class Settings {
        List<Integer> clients = List.of(8, 32);
        int sessions = 64;
        int messages = 5;
        int rounds = 9;
        int warmup = 64;
        Path work;

        String command() {
            return "java -jar benchmarks/target/tlsgate-benchmarks-inbound.jar --clients "
                + clients.stream().map(String::valueOf).collect(Collectors.joining(",")) + " --sessions " + sessions
                + " --messages " + messages + " --rounds " + rounds + " --warmup " + warmup;
        }
    }

    private InboundBenchmark(Settings settings, DemoServer server, List<SSLContext> clientContexts) {
        this.settings = settings;
        this.server = server;
        this.clientContexts = clientContexts;
        StringBuilder text = new StringBuilder(BODY_BYTES + 80);
        while (text.length() < BODY_BYTES) {
            text.append("The quick brown fox jumps over the lazy dog, inbound benchmark body line.\r\n");
        }
        this.body = text.toString();
    }

    public static void main(String[] args) throws Exception {
        Settings settings = parse(args);
        Path home = DemoServer.home();
        Path work = (settings.work == null ? ownDirectory().resolve("inbound-bench-work") : settings.work).toAbsolutePath();
        System.setProperty("working.directory", work.toString());
        System.setProperty("logback.configurationFile", InboundBenchmark.class.getResource("/inbound-bench-logback.xml").toString());
        System.setProperty("james.exit.on.startup.error", "false");
        int status;
        try {
            status = run(home, work, settings);
        } catch (Exception | AssertionError e) {
            System.err.println("INBOUND BENCHMARK FAILED: " + e.getMessage());
            e.printStackTrace();
            System.err.println("James log: " + work.resolve("logs/james.log"));
            status = 1;
        }
        System.exit(status);
    }

    private static int run(Path home, Path work, Settings settings) throws Exception {
        System.out.println("Starting James 3.8.1 with TLS Gate from " + home.resolve("extensions-jars") + " in " + work
            + " (log: " + work.resolve("logs/james.log") + ")");
        try (DemoServer server = new DemoServer.Setup(home, work)
                .smtpServerXml(BenchConfiguration.SMTPSERVER_XML)
                .confFile("tlsgate-listeners.xml", BenchConfiguration.LISTENERS_XML)
                .confFile("mailetcontainer.xml", BenchConfiguration.MAILETS_XML)
                .override(binder -> binder.bind(DNSService.class).toInstance(new DemoDns()))
                .start()) {
            DataProbeImpl data = server.james().getProbe(DataProbeImpl.class);
            for (Listener listener : Listener.values()) {
                data.addUser(listener.recipient(), "unused-" + java.util.UUID.randomUUID());
            }
            CertificateAuthority ca = server.pki().ca();
            int certificates = settings.clients.stream().mapToInt(Integer::intValue).max().orElseThrow();
            System.out.println("Issuing " + certificates + " client certificates (mx<i>.partners.demo.test, RSA 2048, from the demo CA)...");
            KeyPair key = ca.leaf("key.partners.demo.test").issue().keyPair();
            List<SSLContext> contexts = new ArrayList<>();
            for (int i = 0; i < certificates; i++) {
                String name = "mx" + i + ".partners.demo.test";
                contexts.add(clientContext(ca, ca.leaf(name).dnsNames(name).keyPair(key).issue()));
            }
            InboundBenchmark benchmark = new InboundBenchmark(settings, server, contexts);
            benchmark.checkTheGateIsThere(clientContext(ca, server.pki().badClient()));
            benchmark.run();
        }
        return 0;
    }

    /** A client TLS context presenting this certificate whatever the server asks, trusting the demo CA. */
    private static SSLContext clientContext(CertificateAuthority ca, IssuedCertificate certificate) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("demo-ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new PresentingKeyManager(certificate)}, trust.getTrustManagers(), null);
        return context;
    }

    /** The stock listener takes a certificate the rule does not accept; both gate listeners refuse it: the gate is in the path. */
    private void checkTheGateIsThere(SSLContext wrongName) throws IOException {
        Map<Listener, String> replies = new TreeMap<>();
        for (Listener listener : Listener.values()) {
            replies.put(listener, ehloAfterStartTls(server.port(listener.jmxName), wrongName));
        }
        boolean ok = replies.get(Listener.STOCK).startsWith("250")
            && replies.get(Listener.GATE).startsWith("554 5.7.0")
            && replies.get(Listener.ASKING).startsWith("554 5.7.0");
        if (!ok) {
            throw new AssertionError("a certificate for mx.elsewhere.demo.test should pass the stock listener and be refused by both gate"
                + " listeners (554 5.7.0); EHLO after STARTTLS got " + replies);
        }
        System.out.println("Checked: the gate is in the path (certificate for mx.elsewhere.demo.test, EHLO after STARTTLS): "
            + replies.entrySet().stream().map(e -> e.getKey().label + " \"" + e.getValue() + "\"").collect(Collectors.joining(", ")));
    }

    private static String ehloAfterStartTls(int port, SSLContext context) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(30_000);
            BenchClient.Lines lines = new BenchClient.Lines(plain);
            lines.expect(220, null);
            lines.expect(250, "EHLO check.demo.test");
            lines.expect(220, "STARTTLS");
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            tls.getSession().invalidate();
            return new BenchClient.Lines(tls).send("EHLO check.demo.test");
        }
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "Listeners: %s%n", Arrays.stream(Listener.values())
            .map(l -> l.label + " 127.0.0.1:" + server.port(l.jmxName) + " (" + l.description + ")").collect(Collectors.joining("; ")));
        System.out.printf(Locale.ROOT, "Per batch: %d sessions x %d messages; %d round(s) per client count; warm-up %d sessions per listener;"
            + " load average %s%n", settings.sessions, settings.messages, settings.rounds, settings.warmup, InboundReport.loadAverage());
        for (int clients : settings.clients) {
            ExecutorService pool = Executors.newFixedThreadPool(clients, runnable -> {
                Thread thread = new Thread(runnable, "inbound-bench-client");
                thread.setDaemon(true);
                return thread;
            });
            try {
                if (settings.warmup > 0) {
                    for (Listener listener : Listener.values()) {
                        Batch warm = batch(pool, clients, 0, listener, settings.warmup);
                        System.out.printf(Locale.ROOT, "warm-up %2d clients %-7s %5d messages in %6.2f s%n", clients, listener.label,
                            warm.messages, warm.nanos / 1e9);
                    }
                }
                Listener[] order = Listener.values();
                for (int round = 1; round <= settings.rounds; round++) {
                    for (int i = 0; i < order.length; i++) {
                        Listener listener = order[(i + round - 1) % order.length];
                        batches.add(batch(pool, clients, round, listener, settings.sessions));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        verify();
        new InboundReport(settings, batches, negotiated).print();
    }

    private Batch batch(ExecutorService pool, int clients, int round, Listener listener, int sessions) throws Exception {
        int port = server.port(listener.jmxName);
        long[] sessionNanos = new long[sessions];
        List<List<String>> ids = new ArrayList<>(sessions);
        for (int s = 0; s < sessions; s++) {
            List<String> session = new ArrayList<>(settings.messages);
            for (int m = 0; m < settings.messages; m++) {
                String id = listener.label + "-" + nextId.incrementAndGet();
                session.add(id);
                sent.put(id, listener);
            }
            ids.add(session);
        }
        long expected = repositorySize(listener) + (long) sessions * settings.messages;
        AtomicInteger next = new AtomicInteger();
        long cpuBefore = processCpuNanos();
        Map<Long, Long> listenerBefore = threadCpuNanos(listener.jmxName + "-");
        long start = System.nanoTime();
        List<Future<Integer>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            SSLContext context = clientContexts.get(c);
            workers.add(pool.submit(() -> {
                int accepted = 0;
                for (int s = next.getAndIncrement(); s < sessions; s = next.getAndIncrement()) {
                    long begin = System.nanoTime();
                    BenchClient.Outcome outcome = BenchClient.session(port, context, listener.recipient(), ids.get(s), body);
                    sessionNanos[s] = System.nanoTime() - begin;
                    negotiated.computeIfAbsent(listener, l -> new ConcurrentHashMap<>()).merge(outcome.tls, 1, Integer::sum);
                    accepted += outcome.accepted;
                }
                return accepted;
            }));
        }
        int accepted = 0;
        for (Future<Integer> worker : workers) {
            try {
                accepted += worker.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError(listener.label + ": a session failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        long nanos = System.nanoTime() - start;
        long cpu = processCpuNanos() - cpuBefore;
        long listenerCpu = 0;
        for (Map.Entry<Long, Long> thread : threadCpuNanos(listener.jmxName + "-").entrySet()) {
            listenerCpu += thread.getValue() - listenerBefore.getOrDefault(thread.getKey(), 0L);
        }
        awaitSpool(listener, expected);
        return new Batch(clients, round, listener, accepted, nanos, cpu, listenerCpu, sessionNanos);
    }

    /** Untimed: the spool hands this batch's mail to the repository before the next batch starts. */
    private void awaitSpool(Listener listener, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (repositorySize(listener) < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(listener.label + ": " + repositorySize(listener) + " of " + expected
                    + " messages reached its repository within 2 minutes");
            }
            Thread.sleep(20);
        }
    }

    private long repositorySize(Listener listener) throws Exception {
        return server.james().getProbe(MailRepositoryProbeImpl.class).getRepositoryMailCount(listener.repository());
    }

    /** Every message once, in its own listener's repository; nothing unexpected, nothing in error. Throws otherwise. */
    private void verify() throws Exception {
        Thread.sleep(500);
        MailRepositoryProbeImpl repositories = server.james().getProbe(MailRepositoryProbeImpl.class);
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Listener listener : Listener.values()) {
            for (MailKey key : repositories.listMailKeys(listener.repository())) {
                Mail mail = repositories.getMail(listener.repository(), key);
                String[] header;
                try {
                    header = mail.getMessage().getHeader(ID_HEADER);
                } finally {
                    LifecycleUtil.dispose(mail);
                }
                String id = header == null || header.length != 1 ? "" : header[0].trim();
                if (sent.get(id) != listener) {
                    problems.add("message " + id + " in the repository of " + listener.label + ", sent " + (sent.containsKey(id)
                        ? "on " + sent.get(id).label : "never"));
                }
                seen.merge(id, 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Listener> expected : sent.entrySet()) {
            int times = seen.getOrDefault(expected.getKey(), 0);
            if (times != 1) {
                problems.add(expected.getKey() + " arrived " + times + " time(s)");
            }
        }
        for (String other : List.of("memory://var/mail/unexpected/", "memory://var/mail/error/")) {
            long count = repositories.getRepositoryMailCount(MailRepositoryUrl.from(other));
            if (count != 0) {
                problems.add(count + " mail(s) in " + other);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s): " + problems.stream().limit(20).collect(Collectors.joining("; ")));
        }
        Map<Listener, Long> counted = sent.values().stream().collect(Collectors.groupingBy(l -> l, TreeMap::new, Collectors.counting()));
        System.out.println();
        System.out.println("Checked: each of the " + sent.size() + " messages (" + counted.entrySet().stream()
            .map(e -> e.getValue() + " via " + e.getKey().label).collect(Collectors.joining(", "))
            + ", warm-up included) is in its listener's repository exactly once; nothing unexpected, nothing in error.");
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
            ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
    }

    /** CPU time so far of each live thread whose name starts so (a listener's Netty threads are named after its jmxName). */
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

    private static Path ownDirectory() {
        try {
            return Path.of(InboundBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Settings parse(String[] args) {
        Settings settings = new Settings();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if ("--help".equals(name) || "-h".equals(name)) {
                usage(null);
            }
            if (i + 1 >= args.length) {
                usage(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--clients":
                    settings.clients = Arrays.stream(value.split(",")).map(v -> positive(name, v.trim())).collect(Collectors.toList());
                    break;
                case "--sessions":
                    settings.sessions = positive(name, value);
                    break;
                case "--messages":
                    settings.messages = positive(name, value);
                    break;
                case "--rounds":
                    settings.rounds = positive(name, value);
                    break;
                case "--warmup":
                    settings.warmup = "0".equals(value) ? 0 : positive(name, value);
                    break;
                case "--work":
                    settings.work = Path.of(value);
                    break;
                default:
                    usage("unknown argument " + name);
            }
        }
        return settings;
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        usage(name + " needs a whole number above 0, not " + value);
        return 0;
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar benchmarks/target/tlsgate-benchmarks-inbound.jar [--clients N,N (8,32)] [--sessions S per batch (64)]"
            + " [--messages M per session (5)] [--rounds R (9)] [--warmup W sessions (64)] [--work DIR (benchmarks/target/inbound-bench-work)]");
        System.exit(problem == null ? 0 : 2);
    }
}
