package io.tlsgate.policy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a negotiated cipher suite is worth: its effective symmetric key bits and its known weaknesses.
 *
 * <p>JSSE reports only the suite name, so strength is read from the name. The name is split into key
 * exchange, bulk cipher and MAC, and each part must be one this class knows: a name that does not parse
 * completely yields nothing, so that an unknown suite can never pass a strength check by accident.
 */
public final class CipherSuite {

    /** Bulk ciphers, longest token first so that "AES_128_CCM_8" is seen before "AES_128_CCM". */
    private static final List<BulkCipher> BULK_CIPHERS = List.of(
        new BulkCipher("AES_128_CCM_8", 128),
        new BulkCipher("AES_256_CCM_8", 256),
        new BulkCipher("AES_128_GCM", 128),
        new BulkCipher("AES_256_GCM", 256),
        new BulkCipher("AES_128_CCM", 128),
        new BulkCipher("AES_256_CCM", 256),
        new BulkCipher("AES_128_CBC", 128),
        new BulkCipher("AES_256_CBC", 256),
        new BulkCipher("CHACHA20_POLY1305", 256),
        new BulkCipher("CAMELLIA_128_GCM", 128),
        new BulkCipher("CAMELLIA_256_GCM", 256),
        new BulkCipher("CAMELLIA_128_CBC", 128),
        new BulkCipher("CAMELLIA_256_CBC", 256),
        new BulkCipher("ARIA_128_GCM", 128),
        new BulkCipher("ARIA_256_GCM", 256),
        new BulkCipher("ARIA_128_CBC", 128),
        new BulkCipher("ARIA_256_CBC", 256),
        new BulkCipher("SEED_CBC", 128),
        new BulkCipher("IDEA_CBC", 128),
        // 3DES has a 168-bit key but only 112 bits of strength (meet in the middle).
        new BulkCipher("3DES_EDE_CBC", 112),
        new BulkCipher("DES_CBC_40", 40, CipherWeakness.EXPORT),
        new BulkCipher("DES40_CBC", 40, CipherWeakness.EXPORT),
        new BulkCipher("DES_CBC", 56),
        new BulkCipher("RC4_128", 128, CipherWeakness.RC4),
        new BulkCipher("RC4_40", 40, CipherWeakness.RC4, CipherWeakness.EXPORT),
        new BulkCipher("RC2_CBC_40", 40, CipherWeakness.EXPORT),
        new BulkCipher("NULL", 0, CipherWeakness.NULL_CIPHER));

    private static final Set<String> MACS = Set.of("", "SHA", "SHA256", "SHA384", "MD5");

    /** TLS 1.3 names carry no key exchange; only these five exist (RFC 8446, appendix B.4). */
    private static final Set<String> TLS13_SUITES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256");

    /** Key exchange and authentication parts of TLS 1.2 and older suite names. */
    private static final Set<String> KEY_EXCHANGES = Set.of(
        "RSA", "DHE_RSA", "DHE_DSS", "DH_RSA", "DH_DSS", "ECDHE_RSA", "ECDHE_ECDSA", "ECDH_RSA", "ECDH_ECDSA",
        "DH_anon", "ECDH_anon", "KRB5", "PSK", "DHE_PSK", "RSA_PSK", "ECDHE_PSK",
        "RSA_EXPORT", "DHE_RSA_EXPORT", "DHE_DSS_EXPORT", "DH_anon_EXPORT", "KRB5_EXPORT");

    private final String name;
    private final String bulkCipher;
    private final int bits;
    private final Set<CipherWeakness> weaknesses;

    private CipherSuite(String name, String bulkCipher, int bits, Set<CipherWeakness> weaknesses) {
        this.name = name;
        this.bulkCipher = bulkCipher;
        this.bits = bits;
        this.weaknesses = Collections.unmodifiableSet(weaknesses);
    }

    /** The suite with this JSSE name (TLS 1.3 names, TLS 1.2 names and their "SSL_" aliases), if known. */
    public static Optional<CipherSuite> named(String jsseName) {
        if (jsseName == null) {
            return Optional.empty();
        }
        String name = jsseName.trim();
        String body;
        if (name.startsWith("TLS_")) {
            body = name.substring(4);
        } else if (name.startsWith("SSL_")) {
            body = name.substring(4);
        } else {
            return Optional.empty();
        }
        int with = body.indexOf("_WITH_");
        if (with < 0) {
            return TLS13_SUITES.contains(name)
                ? parseCipherAndMac(name, body, EnumSet.noneOf(CipherWeakness.class))
                : Optional.empty();
        }
        String keyExchange = body.substring(0, with);
        if (!KEY_EXCHANGES.contains(keyExchange)) {
            return Optional.empty();
        }
        EnumSet<CipherWeakness> weaknesses = EnumSet.noneOf(CipherWeakness.class);
        if (keyExchange.contains("anon")) {
            weaknesses.add(CipherWeakness.ANONYMOUS);
        }
        boolean export = keyExchange.endsWith("_EXPORT");
        if (export) {
            weaknesses.add(CipherWeakness.EXPORT);
        }
        Optional<CipherSuite> suite = parseCipherAndMac(name, body.substring(with + "_WITH_".length()), weaknesses);
        // An export suite is export grade whatever cipher it names.
        return export ? suite.map(s -> s.bits > 40 ? new CipherSuite(s.name, s.bulkCipher, 40, EnumSet.copyOf(s.weaknesses)) : s) : suite;
    }

    private static Optional<CipherSuite> parseCipherAndMac(String name, String cipherAndMac, EnumSet<CipherWeakness> weaknesses) {
        for (BulkCipher cipher : BULK_CIPHERS) {
            if (cipherAndMac.equals(cipher.token) || cipherAndMac.startsWith(cipher.token + "_")) {
                String mac = cipherAndMac.substring(cipher.token.length());
                mac = mac.startsWith("_") ? mac.substring(1) : mac;
                if (!MACS.contains(mac)) {
                    return Optional.empty();
                }
                EnumSet<CipherWeakness> all = EnumSet.copyOf(weaknesses);
                all.addAll(cipher.weaknesses);
                return Optional.of(new CipherSuite(name, cipher.token, cipher.bits, all));
            }
        }
        return Optional.empty();
    }

    public String name() {
        return name;
    }

    /** The bulk cipher part of the name, e.g. "AES_128_GCM". */
    public String bulkCipher() {
        return bulkCipher;
    }

    /** Effective symmetric strength in bits. */
    public int bits() {
        return bits;
    }

    public Set<CipherWeakness> weaknesses() {
        return weaknesses;
    }

    public boolean has(CipherWeakness weakness) {
        return weaknesses.contains(weakness);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CipherSuite && ((CipherSuite) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return name + "(" + bits + " bits" + (weaknesses.isEmpty() ? "" : ", " + weaknesses.toString().toLowerCase(Locale.ROOT)) + ")";
    }

    private static final class BulkCipher {
        final String token;
        final int bits;
        final EnumSet<CipherWeakness> weaknesses;

        BulkCipher(String token, int bits, CipherWeakness... weaknesses) {
            this.token = token;
            this.bits = bits;
            this.weaknesses = EnumSet.noneOf(CipherWeakness.class);
            this.weaknesses.addAll(List.of(weaknesses));
        }
    }
}
