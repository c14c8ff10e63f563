package io.tlsgate.policy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Rules keyed by peer, looked up in Sendmail's order: the host name, then each parent domain; then the
 * address, then ever shorter prefixes (covering Sendmail's "10.1" prefixes and CIDR blocks alike); then the
 * default rule. The first entry found wins. Immutable.
 *
 * @param <R> the rule type
 */
public final class PeerTable<R> {

    /** Where a rule came from. */
    public enum MatchKind { HOST, ADDRESS, DEFAULT }

    /** A rule and the key that selected it, so that logs can say which entry applied. */
    public static final class Match<R> {
        private final R rule;
        private final MatchKind kind;
        private final String key;

        Match(R rule, MatchKind kind, String key) {
            this.rule = rule;
            this.kind = kind;
            this.key = key;
        }

        public R rule() {
            return rule;
        }

        public MatchKind kind() {
            return kind;
        }

        /** The table key that matched: a domain, an address block, or "default". */
        public String key() {
            return key;
        }

        @Override
        public String toString() {
            return kind == MatchKind.DEFAULT ? "default" : kind.name().toLowerCase(Locale.ROOT) + " " + key;
        }
    }

    private final Map<String, R> byDomain;
    private final Map<BlockKey, Entry<R>> byBlock;
    /** Prefix lengths present per address length (4 or 16), longest first, so a lookup only probes those. */
    private final int[] ipv4Prefixes;
    private final int[] ipv6Prefixes;
    private final Match<R> defaultMatch;

    private PeerTable(Builder<R> b) {
        // HashMap, not Map.copyOf: its nodes keep each key's hash, so a probe rarely touches a stored key. Map.copyOf's
        // open addressing compares the keys of every probed slot, and with a million entries each comparison is a
        // cache miss: that was most of a lookup's time (JMH RequirementLookupBenchmark). Never modified after this.
        this.byDomain = new HashMap<>(b.byDomain);
        this.byBlock = new HashMap<>(b.byBlock);
        this.ipv4Prefixes = prefixes(b, 4);
        this.ipv6Prefixes = prefixes(b, 16);
        this.defaultMatch = new Match<>(b.defaultRule, MatchKind.DEFAULT, "default");
    }

    private static <R> int[] prefixes(Builder<R> b, int addressLength) {
        TreeSet<Integer> lengths = new TreeSet<>();
        b.byBlock.keySet().stream().filter(k -> k.network.length == addressLength).forEach(k -> lengths.add(k.prefixLength));
        return lengths.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    }

    public static <R> Builder<R> builder(R defaultRule) {
        return new Builder<>(defaultRule);
    }

    /**
     * The rule for a peer.
     *
     * @param hostName the peer's host name, only when it is trustworthy (forward-confirmed); a trailing dot is ignored
     * @param address the peer's address, 4 or 16 bytes
     */
    public Match<R> lookup(Optional<String> hostName, byte[] address) {
        if (hostName.isPresent() && !byDomain.isEmpty()) {
            String name = normalizeName(hostName.get());
            while (!name.isEmpty()) {
                R rule = byDomain.get(name);
                if (rule != null) {
                    return new Match<>(rule, MatchKind.HOST, name);
                }
                int dot = name.indexOf('.');
                name = dot < 0 ? "" : name.substring(dot + 1);
            }
        }
        if (!byBlock.isEmpty()) {
            byte[] canonical = AddressBlock.canonical(address);
            for (int prefix : canonical.length == 4 ? ipv4Prefixes : ipv6Prefixes) {
                Entry<R> entry = byBlock.get(new BlockKey(AddressBlock.mask(canonical, prefix), prefix));
                if (entry != null) {
                    return new Match<>(entry.rule, MatchKind.ADDRESS, entry.block.toString());
                }
            }
        }
        return defaultMatch;
    }

    /** Whether any rule is keyed by host name: only then is a peer's name worth resolving. */
    public boolean hasHostEntries() {
        return !byDomain.isEmpty();
    }

    public R defaultRule() {
        return defaultMatch.rule();
    }

    /** Number of keyed entries, the default not counted. */
    public int size() {
        return byDomain.size() + byBlock.size();
    }

    static String normalizeName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    public static final class Builder<R> {
        private final R defaultRule;
        private final Map<String, R> byDomain = new HashMap<>();
        private final Map<BlockKey, Entry<R>> byBlock = new HashMap<>();

        private Builder(R defaultRule) {
            this.defaultRule = Objects.requireNonNull(defaultRule, "defaultRule");
        }

        /**
         * Adds a rule for a domain and its subdomains.
         *
         * @throws IllegalArgumentException when the domain already has a rule
         */
        public Builder<R> host(String domain, R rule) {
            String key = normalizeName(domain);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("empty host name");
            }
            if (byDomain.putIfAbsent(key, Objects.requireNonNull(rule)) != null) {
                throw new IllegalArgumentException("host " + key + " has two rules");
            }
            return this;
        }

        /**
         * Adds a rule for an address block.
         *
         * @throws IllegalArgumentException when the same block already has a rule
         */
        public Builder<R> address(AddressBlock block, R rule) {
            BlockKey key = new BlockKey(block.network(), block.prefixLength());
            Entry<R> previous = byBlock.putIfAbsent(key, new Entry<>(block, Objects.requireNonNull(rule)));
            if (previous != null) {
                throw new IllegalArgumentException("address block " + block + " has two rules (also written " + previous.block + ")");
            }
            return this;
        }

        public PeerTable<R> build() {
            return new PeerTable<>(this);
        }
    }

    private static final class Entry<R> {
        final AddressBlock block;
        final R rule;

        Entry(AddressBlock block, R rule) {
            this.block = block;
            this.rule = rule;
        }
    }

    private static final class BlockKey {
        final byte[] network;
        final int prefixLength;
        final int hash;

        BlockKey(byte[] network, int prefixLength) {
            this.network = network;
            this.prefixLength = prefixLength;
            this.hash = 31 * Arrays.hashCode(network) + prefixLength;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BlockKey && ((BlockKey) o).prefixLength == prefixLength && Arrays.equals(((BlockKey) o).network, network);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
