package io.tlsgate.policy;

import java.util.Locale;

/**
 * Which SMTP reply codes a refusal carries. The enhanced status (4.7.0 / 5.7.0) is the same in both; only the
 * three-digit code differs.
 */
public enum ReplyCodes {
    /** {@code 454} temporary, {@code 554} permanent, {@code 530} for a required STARTTLS never issued (RFC 3207). */
    STANDARD("454", "554", "530"),
    /** Sendmail's own tls_client / tls_server replies: {@code 403} temporary, {@code 503} permanent. */
    SENDMAIL("403", "503", "503");

    private final String temporary;
    private final String permanent;
    private final String tlsMissingPermanent;

    ReplyCodes(String temporary, String permanent, String tlsMissingPermanent) {
        this.temporary = temporary;
        this.permanent = permanent;
        this.tlsMissingPermanent = tlsMissingPermanent;
    }

    String code(boolean temporaryFailure, RefusalReason reason) {
        if (temporaryFailure) {
            return temporary;
        }
        return reason == RefusalReason.TLS_MISSING ? tlsMissingPermanent : permanent;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
