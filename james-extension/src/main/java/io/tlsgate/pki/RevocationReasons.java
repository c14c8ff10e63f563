package io.tlsgate.pki;

/** RFC 5280 CRLReason codes by name, for log lines and refusals. */
final class RevocationReasons {
    private static final String[] NAMES = {"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
        "superseded", "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"};

    private RevocationReasons() {
    }

    static String name(int code) {
        return code >= 0 && code < NAMES.length && !NAMES[code].isEmpty() ? NAMES[code] : "reason " + code;
    }
}
