package io.tlsgate.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one connection actually negotiated, as observed after the TLS handshake: the input of every
 * policy decision. Raw names are kept as the TLS stack reported them, so a refusal can quote them.
 */
public final class TlsFacts {
    private final Direction direction;
    private final String peerAddress;
    private final Optional<String> peerName;
    private final boolean tlsActive;
    private final String protocolName;
    private final String cipherSuiteName;
    private final Optional<TlsProtocol> protocol;
    private final Optional<CipherSuite> cipherSuite;
    private final List<PeerCertificate> peerChain;
    private final CertificateStatus certificateStatus;

    private TlsFacts(Builder b) {
        this.direction = Objects.requireNonNull(b.direction, "direction");
        this.peerAddress = Objects.requireNonNull(b.peerAddress, "peerAddress");
        this.peerName = Optional.ofNullable(b.peerName);
        this.tlsActive = b.tlsActive;
        if (tlsActive) {
            this.protocolName = Objects.requireNonNull(b.protocolName, "protocolName");
            this.cipherSuiteName = Objects.requireNonNull(b.cipherSuiteName, "cipherSuiteName");
            this.peerChain = List.copyOf(b.peerChain);
            this.certificateStatus = b.certificateStatus != null ? b.certificateStatus
                : peerChain.isEmpty() ? CertificateStatus.noCertificate() : null;
            Objects.requireNonNull(certificateStatus, "certificateStatus is required when a peer chain is present");
        } else {
            this.protocolName = "";
            this.cipherSuiteName = "";
            this.peerChain = List.of();
            this.certificateStatus = CertificateStatus.noTls();
        }
        this.protocol = TlsProtocol.fromJsseName(protocolName);
        this.cipherSuite = CipherSuite.named(cipherSuiteName);
    }

    public static Builder builder(Direction direction, String peerAddress) {
        return new Builder(direction, peerAddress);
    }

    public Direction direction() {
        return direction;
    }

    /** The peer's IP address in text form. */
    public String peerAddress() {
        return peerAddress;
    }

    /** The peer's host name, when one is known and trusted (forward-confirmed). */
    public Optional<String> peerName() {
        return peerName;
    }

    public boolean tlsActive() {
        return tlsActive;
    }

    /** The protocol name as reported by the TLS stack, e.g. "TLSv1.3"; empty without TLS. */
    public String protocolName() {
        return protocolName;
    }

    public String cipherSuiteName() {
        return cipherSuiteName;
    }

    /** The protocol version, when it is one the policy knows. */
    public Optional<TlsProtocol> protocol() {
        return protocol;
    }

    /** The cipher suite, when its strength is known. */
    public Optional<CipherSuite> cipherSuite() {
        return cipherSuite;
    }

    /** Effective symmetric bits, when the suite is known. */
    public OptionalInt effectiveBits() {
        return cipherSuite.map(s -> OptionalInt.of(s.bits())).orElse(OptionalInt.empty());
    }

    /** The certificates the peer presented, its own first; empty when it presented none. */
    public List<PeerCertificate> peerChain() {
        return peerChain;
    }

    public Optional<PeerCertificate> peerCertificate() {
        return peerChain.isEmpty() ? Optional.empty() : Optional.of(peerChain.get(0));
    }

    public CertificateStatus certificateStatus() {
        return certificateStatus;
    }

    /** One line for logs and Received clauses: "TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits verify=OK". */
    public String summary() {
        if (!tlsActive) {
            return "no TLS";
        }
        OptionalInt bits = effectiveBits();
        return protocolName + " " + cipherSuiteName + " " + (bits.isPresent() ? bits.getAsInt() + " bits" : "unknown strength")
            + " verify=" + certificateStatus.outcome();
    }

    @Override
    public String toString() {
        return direction.name().toLowerCase(java.util.Locale.ROOT) + " peer=" + peerAddress + peerName.map(n -> "(" + n + ")").orElse("")
            + " " + summary() + peerCertificate().map(c -> " cert[" + c + "]").orElse("");
    }

    public static final class Builder {
        private final Direction direction;
        private final String peerAddress;
        private String peerName;
        private boolean tlsActive;
        private String protocolName;
        private String cipherSuiteName;
        private List<PeerCertificate> peerChain = List.of();
        private CertificateStatus certificateStatus;

        private Builder(Direction direction, String peerAddress) {
            this.direction = direction;
            this.peerAddress = peerAddress;
        }

        public Builder peerName(String name) {
            this.peerName = name;
            return this;
        }

        /** Marks the connection as TLS-protected with what was negotiated. */
        public Builder tls(String protocolName, String cipherSuiteName) {
            this.tlsActive = true;
            this.protocolName = protocolName;
            this.cipherSuiteName = cipherSuiteName;
            return this;
        }

        public Builder peerChain(List<PeerCertificate> chain) {
            this.peerChain = List.copyOf(chain);
            return this;
        }

        public Builder certificateStatus(CertificateStatus status) {
            this.certificateStatus = status;
            return this;
        }

        public TlsFacts build() {
            return new TlsFacts(this);
        }
    }
}
