package io.tlsgate.policy;

import java.util.Locale;

/** Why a session was refused: one value per check, for logs, metrics and tests. */
public enum RefusalReason {
    TLS_MISSING,
    PROTOCOL_UNKNOWN,
    PROTOCOL_TOO_OLD,
    CIPHER_UNKNOWN,
    CIPHER_PROHIBITED,
    CIPHER_TOO_WEAK,
    CERTIFICATE_MISSING,
    CERTIFICATE_UNTRUSTED,
    CERTIFICATE_UNCHECKED,
    IDENTITY_MISMATCH;

    /** The name used in logs and metrics, e.g. "cipher-too-weak". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
