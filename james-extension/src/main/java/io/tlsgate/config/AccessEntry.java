package io.tlsgate.config;

/**
 * One TLS entry of an access file: where it is (line number and left-hand side as written), its key as the tables
 * take it, and its value.
 *
 * @param <K> the key: a {@link PeerKey}, a recipient address, a domain or a local part
 * @param <V> the value: a requirement or a relay grant
 */
final class AccessEntry<K, V> {
    private final int line;
    private final String written;
    private final K key;
    private final V value;

    AccessEntry(int line, String written, K key, V value) {
        this.line = line;
        this.written = written;
        this.key = key;
        this.value = value;
    }

    int line() {
        return line;
    }

    /** The left-hand side as the file writes it, e.g. {@code TLS_Clt:partner.example}. */
    String written() {
        return written;
    }

    K key() {
        return key;
    }

    V value() {
        return value;
    }
}
