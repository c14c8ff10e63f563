package io.tlsgate.bench.jmh;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.tlsgate.policy.AddressBlock;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.PeerTable;

/**
 * Finding a session's rule in tables of 1k, 100k and 1M entries: the inbound {@link PeerTable} (host names and
 * domains, walked up to parent domains; address blocks /32 and /24) and the outbound {@link DestinationTable}
 * (recipients, recipient domains, MX hosts). Each call looks up the next of 4096 prepared peers, a quarter each:
 * a host hit one label below its key (so the parent walk runs), an address hit in a /24, an exact hit (host or /32,
 * recipient), and a miss that falls to the default. Keys are spread over the table, so most lookups miss the CPU cache
 * as a real peer would.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@State(Scope.Benchmark)
public class RequirementLookupBenchmark {
    private static final int QUERIES = 4096;

    @Param({"1000", "100000", "1000000"})
    public int entries;

    private PeerTable<String> peers;
    private DestinationTable<String> destinations;
    private final Optional<String>[] peerNames = newOptionalArray();
    private final byte[][] peerAddresses = new byte[QUERIES][];
    private final String[] recipients = new String[QUERIES];
    private final String[] domains = new String[QUERIES];
    private final Optional<String>[] mxNames = newOptionalArray();
    private final byte[][] mxAddresses = new byte[QUERIES][];
    private int next;

    @SuppressWarnings("unchecked")
    private static Optional<String>[] newOptionalArray() {
        return new Optional[QUERIES];
    }

    /** The i-th /24 of 10.0.0.0/8 and 172.16.0.0/12 style space, spread so that no two entries share one. */
    private static byte[] address(int i, int host) {
        return new byte[] {(byte) (10 + (i >>> 16) % 100), (byte) (i >>> 8), (byte) i, (byte) host};
    }

    @Setup
    public void setUp() {
        // Inbound: 60% host names, 20% /24 blocks, 20% single addresses (/32).
        PeerTable.Builder<String> peerTable = PeerTable.builder("default");
        int hosts = entries * 6 / 10;
        int blocks = entries / 5;
        int singles = entries - hosts - blocks;
        for (int i = 0; i < hosts; i++) {
            peerTable.host("mx" + i + ".partner" + i + ".example", "rule" + i % 7);
        }
        for (int i = 0; i < blocks; i++) {
            peerTable.address(AddressBlock.of(address(i, 0), 24, "block" + i), "rule" + i % 7);
        }
        for (int i = 0; i < singles; i++) {
            peerTable.address(AddressBlock.of(address(blocks + i, 7), 32, "single" + i), "rule" + i % 7);
        }
        peers = peerTable.build();
        // Outbound: 40% recipients, 30% recipient domains, 30% MX hosts.
        DestinationTable.Builder<String> destinationTable = DestinationTable.builder("default");
        int recipientEntries = entries * 4 / 10;
        int domainEntries = entries * 3 / 10;
        int mxEntries = entries - recipientEntries - domainEntries;
        for (int i = 0; i < recipientEntries; i++) {
            destinationTable.recipient("user" + i + "@customer" + i + ".example", "rule" + i % 7);
        }
        for (int i = 0; i < domainEntries; i++) {
            destinationTable.domain("domain" + i + ".example", "rule" + i % 7);
        }
        for (int i = 0; i < mxEntries; i++) {
            destinationTable.mxHost("mx" + i + ".provider" + i + ".example", "rule" + i % 7);
        }
        destinations = destinationTable.build();

        java.util.Random random = new java.util.Random(42);
        for (int q = 0; q < QUERIES; q++) {
            switch (q % 4) {
                case 0: // host hit below its key: the walk goes one label up
                    int h = random.nextInt(hosts);
                    peerNames[q] = Optional.of("smtp.mx" + h + ".partner" + h + ".example");
                    peerAddresses[q] = new byte[] {(byte) 192, 0, 2, (byte) q};
                    break;
                case 1: // address inside a /24
                    peerNames[q] = Optional.empty();
                    peerAddresses[q] = address(random.nextInt(blocks), 1 + random.nextInt(250));
                    break;
                case 2: // single address (/32), name unresolved
                    peerNames[q] = Optional.empty();
                    peerAddresses[q] = address(blocks + random.nextInt(singles), 7);
                    break;
                default: // miss: an unknown name and address, the default applies
                    peerNames[q] = Optional.of("mail.unknown" + q + ".example");
                    peerAddresses[q] = new byte[] {(byte) 198, 51, 100, (byte) q};
                    break;
            }
            int r = random.nextInt(recipientEntries);
            int d = random.nextInt(domainEntries);
            int m = random.nextInt(mxEntries);
            switch (q % 4) {
                case 0: // recipient hit
                    recipients[q] = "user" + r + "@customer" + r + ".example";
                    domains[q] = "customer" + r + ".example";
                    mxNames[q] = Optional.of("mx.customer" + r + ".example");
                    break;
                case 1: // domain hit through a subdomain
                    recipients[q] = "someone@eu.domain" + d + ".example";
                    domains[q] = "eu.domain" + d + ".example";
                    mxNames[q] = Optional.of("mx.domain" + d + ".example");
                    break;
                case 2: // MX hit
                    recipients[q] = "someone@elsewhere" + q + ".example";
                    domains[q] = "elsewhere" + q + ".example";
                    mxNames[q] = Optional.of("mx" + m + ".provider" + m + ".example");
                    break;
                default: // miss
                    recipients[q] = "someone@nowhere" + q + ".example";
                    domains[q] = "nowhere" + q + ".example";
                    mxNames[q] = Optional.of("mx.nowhere" + q + ".example");
                    break;
            }
            mxAddresses[q] = new byte[] {(byte) 203, 0, 113, (byte) q};
        }
        check();
    }

    /** The prepared queries hit and miss as described, or the figures would mean something else. */
    private void check() {
        int[] peerKinds = new int[PeerTable.MatchKind.values().length];
        int[] destinationKinds = new int[DestinationTable.Kind.values().length];
        for (int q = 0; q < QUERIES; q++) {
            peerKinds[peers.lookup(peerNames[q], peerAddresses[q]).kind().ordinal()]++;
            destinationKinds[destinations.lookup(recipients[q], domains[q], mxNames[q], mxAddresses[q]).kind().ordinal()]++;
        }
        if (peerKinds[PeerTable.MatchKind.HOST.ordinal()] != QUERIES / 4 || peerKinds[PeerTable.MatchKind.ADDRESS.ordinal()] != QUERIES / 2
            || destinationKinds[DestinationTable.Kind.RECIPIENT.ordinal()] != QUERIES / 4
            || destinationKinds[DestinationTable.Kind.DOMAIN.ordinal()] != QUERIES / 4
            || destinationKinds[DestinationTable.Kind.MX.ordinal()] != QUERIES / 4) {
            throw new IllegalStateException("unexpected hit counts: peers " + java.util.Arrays.toString(peerKinds) + ", destinations "
                + java.util.Arrays.toString(destinationKinds));
        }
    }

    @Benchmark
    public PeerTable.Match<String> peerTable() {
        int q = next++ & (QUERIES - 1);
        return peers.lookup(peerNames[q], peerAddresses[q]);
    }

    @Benchmark
    public DestinationTable.Match<String> destinationTable() {
        int q = next++ & (QUERIES - 1);
        return destinations.lookup(recipients[q], domains[q], mxNames[q], mxAddresses[q]);
    }
}
