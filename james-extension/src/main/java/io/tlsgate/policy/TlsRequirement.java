package io.tlsgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a peer's TLS session must meet, and what a failure means. Immutable; built with {@link #builder()}.
 *
 * <p>Contradictions are refused when the requirement is built, never resolved silently: a rule that sets a
 * cipher floor while saying TLS is not required is an error, not a rule without a floor.
 */
public final class TlsRequirement {

    /** How much a peer must prove, Postfix's security levels. */
    public enum Level {
        /** Nothing: the peer may talk in plaintext (outbound: STARTTLS is not even tried). */
        NONE,
        /** Outbound only: STARTTLS when offered, plaintext otherwise; nothing about the session is checked. */
        MAY,
        /** TLS is required, with the strength floors of the rule; no certificate is needed. */
        ENCRYPT,
        /** TLS and a certificate matching one of the rule's pins; no chain to a trust anchor is needed. */
        FINGERPRINT,
        /**
         * TLS and a certificate that chains to a trust anchor and passes the rule's checks and identity constraints;
         * outbound, it must also name the MX host.
         */
        VERIFY,
        /** Outbound only: as verify, but the certificate must name the recipient domain (or a subdomain), not the MX. */
        SECURE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean requiresTls() {
            return this != NONE && this != MAY;
        }

        public boolean requiresCertificate() {
            return this == FINGERPRINT || this == VERIFY || this == SECURE;
        }

        /** Whether the certificate must chain to a trust anchor (verify, secure), not only match a pin. */
        public boolean chainsToTrustAnchor() {
            return this == VERIFY || this == SECURE;
        }
    }

    /** Whether a refusal asks the peer to try again later or to give up. */
    public enum Failure {
        TEMPORARY, PERMANENT;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happens to the rest of a session once it has been refused. */
    public enum AfterRefusal {
        /** Every later command except QUIT gets the same refusal. */
        REFUSE,
        /** The refusal is sent and the connection closed. */
        DISCONNECT;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int MAX_CIPHER_BITS = 256;

    private final Level level;
    private final int minCipherBits;
    private final Optional<TlsProtocol> minProtocol;
    private final List<IdentityConstraint> identity;
    private final CertificateRequirement certificate;
    private final Failure failure;
    private final Failure missingTls;
    private final AfterRefusal afterRefusal;
    private final ReplyCodes replyCodes;

    private TlsRequirement(Level level, Builder b) {
        this.level = level;
        this.minCipherBits = b.minCipherBits;
        this.minProtocol = Optional.ofNullable(b.minProtocol);
        this.identity = List.copyOf(b.identity);
        this.certificate = b.certificate;
        this.failure = b.failure;
        this.missingTls = b.missingTls;
        this.afterRefusal = b.afterRefusal;
        this.replyCodes = b.replyCodes;
    }

    private TlsRequirement(TlsRequirement other, ReplyCodes replyCodes) {
        this.level = other.level;
        this.minCipherBits = other.minCipherBits;
        this.minProtocol = other.minProtocol;
        this.identity = other.identity;
        this.certificate = other.certificate;
        this.failure = other.failure;
        this.missingTls = other.missingTls;
        this.afterRefusal = other.afterRefusal;
        this.replyCodes = java.util.Objects.requireNonNull(replyCodes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A requirement that asks nothing of the peer. */
    public static TlsRequirement none() {
        return builder().level(Level.NONE).build();
    }

    public Level level() {
        return level;
    }

    public boolean requiresTls() {
        return level.requiresTls();
    }

    public boolean requiresCertificate() {
        return level.requiresCertificate();
    }

    /** Minimum effective symmetric bits; 0 when the rule sets no floor (a NULL cipher is still refused). */
    public int minCipherBits() {
        return minCipherBits;
    }

    public Optional<TlsProtocol> minProtocol() {
        return minProtocol;
    }

    public List<IdentityConstraint> identity() {
        return identity;
    }

    /** How a presented certificate is checked (pins, purposes, key sizes, revocation). */
    public CertificateRequirement certificate() {
        return certificate;
    }

    /** How a session that has TLS but fails a check is refused. */
    public Failure failure() {
        return failure;
    }

    /** How a session without TLS is refused when TLS is required. */
    public Failure missingTls() {
        return missingTls;
    }

    public AfterRefusal afterRefusal() {
        return afterRefusal;
    }

    /** The reply codes refusals carry: standard (454 / 554 / 530) unless configured as Sendmail's (403 / 503). */
    public ReplyCodes replyCodes() {
        return replyCodes;
    }

    /** This requirement with other reply codes (a configuration-wide option, applied after the rules are read). */
    public TlsRequirement withReplyCodes(ReplyCodes codes) {
        return codes == replyCodes ? this : new TlsRequirement(this, codes);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("level=" + level.configName());
        if (minCipherBits > 0) {
            parts.add("minCipherBits=" + minCipherBits);
        }
        minProtocol.ifPresent(p -> parts.add("minProtocol=" + p));
        if (!identity.isEmpty()) {
            parts.add("identity=" + identity.stream().map(IdentityConstraint::toString).collect(Collectors.joining("; ", "[", "]")));
        }
        if (!certificate.isDefault()) {
            parts.add(certificate.toString());
        }
        if (requiresTls()) {
            parts.add("failure=" + failure.configName());
            parts.add("missingTls=" + missingTls.configName());
            parts.add("afterRefusal=" + afterRefusal.configName());
            if (replyCodes != ReplyCodes.STANDARD) {
                parts.add("replyCodes=" + replyCodes.configName());
            }
        }
        return String.join(" ", parts);
    }

    public static final class Builder {
        private Level level;
        private int minCipherBits;
        private TlsProtocol minProtocol;
        private final List<IdentityConstraint> identity = new ArrayList<>();
        private CertificateRequirement certificate = CertificateRequirement.defaults();
        private Failure failure = Failure.TEMPORARY;
        private Failure missingTls = Failure.PERMANENT;
        private AfterRefusal afterRefusal = AfterRefusal.REFUSE;
        private ReplyCodes replyCodes = ReplyCodes.STANDARD;

        private Builder() {
        }

        /** The level; when never set, it is the lowest level that the other settings imply. */
        public Builder level(Level level) {
            this.level = level;
            return this;
        }

        public Builder minCipherBits(int bits) {
            if (bits < 0 || bits > MAX_CIPHER_BITS) {
                throw new IllegalArgumentException("cipher bits must be between 0 and " + MAX_CIPHER_BITS + ", not " + bits);
            }
            this.minCipherBits = bits;
            return this;
        }

        public Builder minProtocol(TlsProtocol protocol) {
            this.minProtocol = protocol;
            return this;
        }

        public Builder require(IdentityConstraint constraint) {
            this.identity.add(constraint);
            return this;
        }

        public Builder certificate(CertificateRequirement certificate) {
            this.certificate = java.util.Objects.requireNonNull(certificate);
            return this;
        }

        public Builder failure(Failure failure) {
            this.failure = failure;
            return this;
        }

        public Builder missingTls(Failure missingTls) {
            this.missingTls = missingTls;
            return this;
        }

        public Builder afterRefusal(AfterRefusal afterRefusal) {
            this.afterRefusal = afterRefusal;
            return this;
        }

        public Builder replyCodes(ReplyCodes replyCodes) {
            this.replyCodes = java.util.Objects.requireNonNull(replyCodes);
            return this;
        }

        /**
         * @throws IllegalArgumentException when the settings contradict each other or say nothing at all
         */
        public TlsRequirement build() {
            boolean floors = minCipherBits > 0 || minProtocol != null;
            boolean certificateChecks = !identity.isEmpty() || !certificate.isDefault();
            Level implied = certificateChecks ? Level.VERIFY : floors ? Level.ENCRYPT : null;
            if (level == null && implied == null) {
                throw new IllegalArgumentException("the rule sets no level and nothing that implies one"
                    + " (say <level>none</level> to exempt a peer)");
            }
            Level effective = level != null ? level : implied;
            if (certificateChecks && !effective.requiresCertificate()) {
                throw new IllegalArgumentException("level " + effective.configName() + " contradicts "
                    + (!identity.isEmpty() ? "the certificate identity constraints" : "the certificate checks (pins, key usage, key sizes, revocation)")
                    + ", which need level fingerprint or verify (outbound also secure)");
            }
            if (floors && !effective.requiresTls()) {
                throw new IllegalArgumentException("level " + effective.configName() + " contradicts the cipher or protocol floor,"
                    + " which needs TLS (level encrypt, fingerprint or verify; outbound also secure)");
            }
            if (effective == Level.FINGERPRINT && certificate.pins().isEmpty()) {
                throw new IllegalArgumentException("level fingerprint needs at least one <pin> to compare the certificate with");
            }
            return new TlsRequirement(effective, this);
        }
    }
}
