package io.tlsgate.bench.inbound;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The inbound benchmark's printed figures: per batch, per listener and client count, and the ratios against stock. */
final class InboundReport {
    private final InboundBenchmark.Settings settings;
    private final List<Batch> batches;
    private final Map<Listener, Map<String, Integer>> negotiated;

    InboundReport(InboundBenchmark.Settings settings, List<Batch> batches, Map<Listener, Map<String, Integer>> negotiated) {
        this.settings = settings;
        this.batches = batches;
        this.negotiated = negotiated;
    }

    void print() {
        System.out.println("TLS negotiated, sessions per listener: " + new TreeMap<>(negotiated).entrySet().stream()
            .map(e -> e.getKey().label + ": " + new TreeMap<>(e.getValue()).entrySet().stream().map(c -> c.getValue() + " " + c.getKey())
                .collect(Collectors.joining(", "))).collect(Collectors.joining("; ")));
        System.out.println();
        System.out.printf(Locale.ROOT, "%-7s %-5s %-7s %8s %8s %9s %10s %12s %9s %9s%n",
            "clients", "round", "path", "messages", "seconds", "msg/s", "cpu ms/msg", "listener cpu", "p50 ms", "p99 ms");
        for (Batch b : batches) {
            long[] sorted = b.sessionNanos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-7d %-5d %-7s %8d %8.2f %9.1f %10.2f %12.3f %9.1f %9.1f%n", b.clients, b.round, b.listener.label,
                b.messages, b.nanos / 1e9, b.perSecond(), b.cpuNanos / 1e6 / b.messages, b.listenerCpuNanos / 1e6 / b.messages,
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6);
        }
        System.out.println("(seconds: first connection to last QUIT reply of the batch; cpu: the whole process, James and clients, per"
            + " message; listener cpu: the listener's own threads (James's SMTP work, TLS Gate's handler included), ms per message;"
            + " p50/p99: one session, connect to QUIT reply, " + settings.messages + " messages)");
        for (int clients : settings.clients) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%d concurrent clients, %d rounds of %d sessions x %d messages per listener:%n", clients,
                settings.rounds, settings.sessions, settings.messages);
            System.out.printf(Locale.ROOT, "  %-7s %-46s %9s %16s %12s %12s %11s %13s%n", "path", "", "msg/s", "round median", "session p50",
                "session p99", "cpu ms/msg", "listener cpu");
            for (Listener listener : Listener.values()) {
                List<Batch> of = of(clients, listener);
                long[] sessions = of.stream().flatMapToLong(b -> Arrays.stream(b.sessionNanos)).sorted().toArray();
                System.out.printf(Locale.ROOT, "  %-7s %-46s %9.1f %16.1f %9.1f ms %9.1f ms %11.2f %13.3f%n", listener.label,
                    listener.description, overall(of), median(of.stream().mapToDouble(Batch::perSecond).sorted().toArray()),
                    percentile(sessions, 50) / 1e6, percentile(sessions, 99) / 1e6, cpuPerMessage(of), listenerCpuPerMessage(of));
            }
            for (Listener listener : List.of(Listener.GATE, Listener.ASKING)) {
                List<Double> ratios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                for (int round = 1; round <= settings.rounds; round++) {
                    ratios.add(rate(clients, round, listener) / rate(clients, round, Listener.STOCK));
                    cpuRatios.add(cpuPerMessage(clients, round, Listener.STOCK) / cpuPerMessage(clients, round, listener));
                }
                System.out.printf(Locale.ROOT, "  ratio %s / stock: %.3f msg/s (all rounds; per round median %.3f; per round %s) (target >= 0.97)%n",
                    listener.label, overall(of(clients, listener)) / overall(of(clients, Listener.STOCK)),
                    median(ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray()),
                    ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", ")));
                System.out.printf(Locale.ROOT, "  cpu ratio stock / %s: %.3f (cpu ms per message, all rounds; per round median %.3f);"
                        + " listener threads only: %.3f (%+.3f ms per message)%n",
                    listener.label, cpuPerMessage(of(clients, Listener.STOCK)) / cpuPerMessage(of(clients, listener)),
                    median(cpuRatios.stream().mapToDouble(Double::doubleValue).sorted().toArray()),
                    listenerCpuPerMessage(of(clients, Listener.STOCK)) / listenerCpuPerMessage(of(clients, listener)),
                    listenerCpuPerMessage(of(clients, listener)) - listenerCpuPerMessage(of(clients, Listener.STOCK)));
            }
        }
        if (settings.rounds % Listener.values().length != 0) {
            System.out.println("(the order rotates each round: a number of rounds that is not a multiple of "
                + Listener.values().length + " runs some listeners first more often)");
        }
        System.out.println();
        System.out.println(environment());
        System.out.println("command: " + settings.command());
    }

    private List<Batch> of(int clients, Listener listener) {
        return batches.stream().filter(b -> b.clients == clients && b.listener == listener).collect(Collectors.toList());
    }

    private double rate(int clients, int round, Listener listener) {
        return batches.stream().filter(b -> b.clients == clients && b.round == round && b.listener == listener).findFirst().orElseThrow()
            .perSecond();
    }

    private double cpuPerMessage(int clients, int round, Listener listener) {
        return cpuPerMessage(batches.stream().filter(b -> b.clients == clients && b.round == round && b.listener == listener)
            .collect(Collectors.toList()));
    }

    /** This process's CPU time per message over these batches: what the machine spends, whatever else runs on it. */
    private static double cpuPerMessage(List<Batch> of) {
        return of.stream().mapToLong(b -> b.cpuNanos).sum() / 1e6 / of.stream().mapToInt(b -> b.messages).sum();
    }

    private static double listenerCpuPerMessage(List<Batch> of) {
        return of.stream().mapToLong(b -> b.listenerCpuNanos).sum() / 1e6 / of.stream().mapToInt(b -> b.messages).sum();
    }

    /** All messages over all time of these batches. */
    private static double overall(List<Batch> of) {
        return of.stream().mapToInt(b -> b.messages).sum() / (of.stream().mapToLong(b -> b.nanos).sum() / 1e9);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String environment() {
        Runtime runtime = Runtime.getRuntime();
        return String.format(Locale.ROOT, "JVM: %s %s, max heap %d MiB; CPU: %d available processor(s), %s; load average now %s%n"
                + "(James and the clients share this JVM and these processors; other work on the machine moves the figures)",
            System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), runtime.maxMemory() / (1024 * 1024),
            runtime.availableProcessors(), cpuModel(), loadAverage());
    }

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
                .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("model unknown");
        } catch (IOException | RuntimeException e) {
            return "model unknown";
        }
    }
}
