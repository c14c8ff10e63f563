package io.tlsgate.bench;

import java.io.BufferedWriter;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.io.FileHandler;

import io.tlsgate.config.InboundPolicy;
import io.tlsgate.config.InboundPolicyReader;
import io.tlsgate.config.OutboundPolicy;
import io.tlsgate.config.OutboundPolicyReader;

/**
 * Large Sendmail access files: generates an access file of N lines (default 1,000,000) with the key forms of a real
 * one (client host names, addresses and prefixes; recipients, recipient domains and MX hosts; a few values shared by
 * many entries, comments and non-TLS entries), then measures for each side (the inbound gate's handler and the relay's
 * policy file, each reading the whole file): the load time, the heap the loaded table keeps per entry, and the time
 * of one lookup (hits at every level of Sendmail's order, and misses that fall through to the default).
 *
 * <pre>java -Xmx2g -cp benchmarks/target/tlsgate-benchmarks.jar io.tlsgate.bench.AccessFileBenchmark [lines]</pre>
 */
public final class AccessFileBenchmark {
    private static final String[] VALUES = {"VERIFY", "ENCR:128", "PERM+VERIFY:256", "TEMP+ENCR:112", "VERIFY:128+CN:mx.partner.example",
        "PERM+ENCR:256"};
    private static final int ROUNDS = 5;

    private AccessFileBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("tlsgate-access-bench");
        Path file = dir.resolve("access");
        int[] kinds = generate(file, lines);
        System.out.printf(Locale.ROOT, "Generated %s: %,d lines (%,d bytes): %,d TLS_Clt host, %,d TLS_Clt address/prefix, %,d TLS_Rcpt,"
            + " %,d TLS_Srv, %,d comments and non-TLS entries%n", file, lines, Files.size(file), kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]);

        List<String[]> rows = new ArrayList<>();
        long[] inboundLoad = new long[ROUNDS];
        long[] outboundLoad = new long[ROUNDS];
        InboundPolicy inbound = null;
        OutboundPolicy outbound = null;
        long inboundBytes = 0;
        long outboundBytes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            inbound = null;
            outbound = null;
            long before = usedHeap();
            long start = System.nanoTime();
            inbound = InboundPolicyReader.read(xml("<handler><accessFile>" + file + "</accessFile></handler>"), Path::of, Clock.systemUTC());
            inboundLoad[round] = System.nanoTime() - start;
            inboundBytes = usedHeap() - before;
            before = usedHeap();
            start = System.nanoTime();
            // VERIFY entries need trust anchors: the JVM's (loading them is timed too, once).
            outbound = OutboundPolicyReader.read(xml("<outbound><verification><jvmTrustStore>true</jvmTrustStore></verification>"
                + "<accessFile>" + file + "</accessFile></outbound>"), Path::of, Clock.systemUTC());
            outboundLoad[round] = System.nanoTime() - start;
            outboundBytes = usedHeap() - before;
        }
        int inboundEntries = inbound.rules().size();
        int outboundEntries = outbound.rules().size();
        rows.add(row("inbound (TLS_Clt)", inboundEntries, inboundLoad, inboundBytes, inboundLookup(inbound, lines)));
        rows.add(row("outbound (TLS_Rcpt, TLS_Srv)", outboundEntries, outboundLoad, outboundBytes, outboundLookup(outbound, lines)));

        System.out.println();
        System.out.printf(Locale.ROOT, "%-30s %10s %16s %16s %14s %26s%n", "side", "entries", "load (s, best)", "load (s, median)",
            "heap/entry (B)", "lookup (ns, best / median)");
        for (String[] row : rows) {
            System.out.printf(Locale.ROOT, "%-30s %10s %16s %16s %14s %26s%n", (Object[]) row);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Java %s, %d processors, max heap %d MiB; load over %d rounds (each side reads the whole file);"
            + " heap = retained after a full GC; lookup = mean of 2,000,000 lookups (hits at each level and misses) per round after warm-up.%n",
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, ROUNDS);
        System.out.println("Command: java -Xmx2g -cp benchmarks/target/tlsgate-benchmarks.jar io.tlsgate.bench.AccessFileBenchmark " + lines);
        Files.delete(file);
        Files.delete(dir);
    }

    private static String[] row(String side, int entries, long[] loads, long bytes, double[] lookupNanos) {
        long[] sorted = loads.clone();
        java.util.Arrays.sort(sorted);
        double[] lookups = lookupNanos.clone();
        java.util.Arrays.sort(lookups);
        return new String[] {side, String.format(Locale.ROOT, "%,d", entries), String.format(Locale.ROOT, "%.2f", sorted[0] / 1e9),
            String.format(Locale.ROOT, "%.2f", sorted[sorted.length / 2] / 1e9), String.valueOf(bytes / entries),
            String.format(Locale.ROOT, "%.0f / %.0f", lookups[0], lookups[lookups.length / 2])};
    }

    /** Writes the file; returns the counts per kind of line. */
    private static int[] generate(Path file, int lines) throws Exception {
        int[] kinds = new int[5];
        SplittableRandom random = new SplittableRandom(42);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
            out.write("# generated by AccessFileBenchmark\nTLS_Clt:\tENCR:112\nTLS_Rcpt:\tVERIFY\n");
            for (int i = 3; i < lines; i++) {
                String value = VALUES[random.nextInt(VALUES.length)];
                int slot = i % 20;
                if (slot < 7) {
                    out.write("TLS_Clt:" + host(i) + "\t" + value + "\n");
                    kinds[0]++;
                } else if (slot < 10) {
                    out.write("TLS_Clt:" + address(i) + "\t" + value + "\n");
                    kinds[1]++;
                } else if (slot < 11) {
                    out.write("TLS_Clt:" + prefix(i) + "\t" + value + "\n");
                    kinds[1]++;
                } else if (slot < 14) {
                    out.write("TLS_Rcpt:user" + i + "@" + domain(i) + "\t" + value + "\n");
                    kinds[2]++;
                } else if (slot < 16) {
                    out.write("TLS_Rcpt:" + "d" + i + "." + domain(i) + "\t" + value + "\n");
                    kinds[2]++;
                } else if (slot < 19) {
                    out.write("TLS_Srv:mx" + i + "." + domain(i) + "\t" + value + "\n");
                    kinds[3]++;
                } else if (i % 40 == 19) {
                    out.write("# comment " + i + "\n");
                    kinds[4]++;
                } else {
                    out.write("Connect:spam" + i + ".example\tREJECT\n");
                    kinds[4]++;
                }
            }
        }
        return kinds;
    }

    private static String domain(int i) {
        return "dom" + (i % 5000) + ".example";
    }

    private static String host(int i) {
        return "host" + i + "." + domain(i);
    }

    private static String address(int i) {
        return "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    private static String prefix(int i) {
        return (11 + ((i >>> 16) & 0x7f)) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    private static double[] inboundLookup(InboundPolicy policy, int lines) {
        SplittableRandom random = new SplittableRandom(7);
        int n = 2_000_000;
        List<Optional<String>> names = new ArrayList<>();
        List<byte[]> addresses = new ArrayList<>();
        for (int k = 0; k < 4096; k++) {
            int i = random.nextInt(lines);
            switch (k % 4) {
                case 0: // a host entry's subdomain: the parent walk finds it
                    names.add(Optional.of("a.b." + host(i - i % 20)));
                    addresses.add(new byte[] {(byte) 198, 51, 100, 1});
                    break;
                case 1: // an address entry
                    names.add(Optional.empty());
                    addresses.add(bytes(address(i - i % 20 + 7)));
                    break;
                case 2: // inside a prefix entry
                    names.add(Optional.empty());
                    addresses.add(bytes(prefix(i - i % 20 + 10) + ".9"));
                    break;
                default: // a name and an address without entries: the default
                    names.add(Optional.of("mail.unknown" + i + ".example"));
                    addresses.add(new byte[] {(byte) 203, 0, 113, (byte) i});
            }
        }
        int sink = 0;
        for (int k = 0; k < n; k++) { // warm-up
            sink += policy.rules().lookup(names.get(k & 4095), addresses.get(k & 4095)).key().length();
        }
        double[] means = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int k = 0; k < n; k++) {
                sink += policy.rules().lookup(names.get(k & 4095), addresses.get(k & 4095)).key().length();
            }
            means[round] = (double) (System.nanoTime() - start) / n;
        }
        if (sink == 42) {
            System.out.println();
        }
        return means;
    }

    private static double[] outboundLookup(OutboundPolicy policy, int lines) {
        SplittableRandom random = new SplittableRandom(11);
        int n = 2_000_000;
        String[][] cases = new String[4096][];
        for (int k = 0; k < cases.length; k++) {
            int i = random.nextInt(lines);
            int r = i - i % 20;
            switch (k % 4) {
                case 0: // a recipient entry
                    cases[k] = new String[] {"user" + (r + 11) + "@" + domain(r + 11), domain(r + 11), "mx.elsewhere.example"};
                    break;
                case 1: // a subdomain of a recipient domain entry
                    cases[k] = new String[] {"x@a.d" + (r + 14) + "." + domain(r + 14), "a.d" + (r + 14) + "." + domain(r + 14), "mx.other.example"};
                    break;
                case 2: // an MX host entry
                    cases[k] = new String[] {"x@u" + i + ".example", "u" + i + ".example", "mx" + (r + 16) + "." + domain(r + 16)};
                    break;
                default: // nothing: the default
                    cases[k] = new String[] {"x@none" + i + ".example", "none" + i + ".example", "mx.none" + i + ".example"};
            }
        }
        byte[] address = {(byte) 198, 51, 100, 25};
        int sink = 0;
        for (int k = 0; k < n; k++) {
            String[] c = cases[k & 4095];
            sink += policy.rules().lookup(c[0], c[1], Optional.of(c[2]), address).key().length();
        }
        double[] means = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int k = 0; k < n; k++) {
                String[] c = cases[k & 4095];
                sink += policy.rules().lookup(c[0], c[1], Optional.of(c[2]), address).key().length();
            }
            means[round] = (double) (System.nanoTime() - start) / n;
        }
        if (sink == 42) {
            System.out.println();
        }
        return means;
    }

    private static byte[] bytes(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        return address;
    }

    private static XMLConfiguration xml(String xml) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        configuration.setListDelimiterHandler(new DisabledListDelimiterHandler());
        new FileHandler(configuration).load(new StringReader(xml));
        return configuration;
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
