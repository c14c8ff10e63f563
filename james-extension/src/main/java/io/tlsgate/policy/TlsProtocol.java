package io.tlsgate.policy;

import java.util.Locale;
import java.util.Optional;

/** TLS protocol versions in the order of their strength, named as JSSE names them. */
public enum TlsProtocol {
    SSL_V3("SSLv3"),
    TLS_V1("TLSv1"),
    TLS_V1_1("TLSv1.1"),
    TLS_V1_2("TLSv1.2"),
    TLS_V1_3("TLSv1.3");

    private final String jsseName;

    TlsProtocol(String jsseName) {
        this.jsseName = jsseName;
    }

    public String jsseName() {
        return jsseName;
    }

    public boolean isAtLeast(TlsProtocol other) {
        return compareTo(other) >= 0;
    }

    /** The version a JSSE protocol name stands for; empty for anything else (e.g. "NONE", "SSLv2Hello"). */
    public static Optional<TlsProtocol> fromJsseName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (TlsProtocol protocol : values()) {
            if (protocol.jsseName.toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(protocol);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return jsseName;
    }
}
