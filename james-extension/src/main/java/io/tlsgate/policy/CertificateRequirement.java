package io.tlsgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a peer certificate is checked beyond its chain: pins, the purposes it must allow, the smallest keys
 * accepted, and what happens when its revocation status cannot be learned. Immutable; equal requirements give
 * equal verification results, so it is part of the verification cache key.
 */
public final class CertificateRequirement {
    public static final int DEFAULT_MIN_RSA_BITS = 2048;
    public static final int DEFAULT_MIN_EC_BITS = 256;

    /** What an unknown revocation status means when the server checks revocation at all. */
    public enum Revocation {
        /** Unknown status is a temporary refusal: the check is retried on the next attempt. */
        REQUIRED,
        /** Unknown status is accepted (and logged); a known revocation still refuses. */
        SOFT_FAIL,
        /** Revocation is not checked for this rule. */
        OFF;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final CertificateRequirement DEFAULT = builder().build();

    private final List<CertificatePin> pins;
    private final boolean acceptServerAuthOnly;
    private final int minRsaBits;
    private final int minEcBits;
    private final Revocation revocation;

    private CertificateRequirement(Builder b) {
        this.pins = List.copyOf(b.pins);
        this.acceptServerAuthOnly = b.acceptServerAuthOnly;
        this.minRsaBits = b.minRsaBits;
        this.minEcBits = b.minEcBits;
        this.revocation = b.revocation;
    }

    public static CertificateRequirement defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Certificates or keys one of which the peer's chain must contain; empty when no pin is required. */
    public List<CertificatePin> pins() {
        return pins;
    }

    /**
     * Whether a certificate whose extendedKeyUsage allows serverAuth but not clientAuth is accepted from a client
     * (public MTA certificates increasingly carry serverAuth only). By default clientAuth is required.
     */
    public boolean acceptServerAuthOnly() {
        return acceptServerAuthOnly;
    }

    public int minRsaBits() {
        return minRsaBits;
    }

    public int minEcBits() {
        return minEcBits;
    }

    public Revocation revocation() {
        return revocation;
    }

    public boolean isDefault() {
        return equals(DEFAULT);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CertificateRequirement)) {
            return false;
        }
        CertificateRequirement other = (CertificateRequirement) o;
        return pins.equals(other.pins) && acceptServerAuthOnly == other.acceptServerAuthOnly && minRsaBits == other.minRsaBits
            && minEcBits == other.minEcBits && revocation == other.revocation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pins, acceptServerAuthOnly, minRsaBits, minEcBits, revocation);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (!pins.isEmpty()) {
            parts.add("pins=" + pins);
        }
        if (acceptServerAuthOnly) {
            parts.add("acceptServerAuthOnly=true");
        }
        if (minRsaBits != DEFAULT_MIN_RSA_BITS) {
            parts.add("minRsaBits=" + minRsaBits);
        }
        if (minEcBits != DEFAULT_MIN_EC_BITS) {
            parts.add("minEcBits=" + minEcBits);
        }
        if (revocation != Revocation.REQUIRED) {
            parts.add("revocation=" + revocation.configName());
        }
        return String.join(" ", parts);
    }

    public static final class Builder {
        private final List<CertificatePin> pins = new ArrayList<>();
        private boolean acceptServerAuthOnly;
        private int minRsaBits = DEFAULT_MIN_RSA_BITS;
        private int minEcBits = DEFAULT_MIN_EC_BITS;
        private Revocation revocation = Revocation.REQUIRED;

        private Builder() {
        }

        public Builder pin(CertificatePin pin) {
            pins.add(Objects.requireNonNull(pin));
            return this;
        }

        public Builder acceptServerAuthOnly(boolean accept) {
            this.acceptServerAuthOnly = accept;
            return this;
        }

        /** @throws IllegalArgumentException below 1024 bits: such keys are broken, no rule may accept them */
        public Builder minRsaBits(int bits) {
            if (bits < 1024 || bits > 16384) {
                throw new IllegalArgumentException("RSA key bits must be between 1024 and 16384, not " + bits);
            }
            this.minRsaBits = bits;
            return this;
        }

        /** @throws IllegalArgumentException below 224 bits */
        public Builder minEcBits(int bits) {
            if (bits < 224 || bits > 521) {
                throw new IllegalArgumentException("EC key bits must be between 224 and 521, not " + bits);
            }
            this.minEcBits = bits;
            return this;
        }

        public Builder revocation(Revocation revocation) {
            this.revocation = Objects.requireNonNull(revocation);
            return this;
        }

        public CertificateRequirement build() {
            return new CertificateRequirement(this);
        }
    }
}
