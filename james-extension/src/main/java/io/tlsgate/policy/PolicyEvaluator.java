package io.tlsgate.policy;

import java.util.Optional;

/**
 * The one decision both directions use: does this session meet this requirement. Pure function; checks run
 * from the cheapest and most basic (is there TLS at all) to the most specific (certificate identity), and the
 * first failure is the verdict.
 */
public final class PolicyEvaluator {

    private PolicyEvaluator() {
    }

    public static Verdict evaluate(TlsRequirement requirement, TlsFacts facts) {
        if (!requirement.requiresTls()) {
            return Verdict.accept();
        }
        if (!facts.tlsActive()) {
            return Verdict.refuse(RefusalReason.TLS_MISSING, requirement.missingTls(),
                facts.direction() == Direction.INBOUND ? "Must issue a STARTTLS command first" : "the server does not offer STARTTLS",
                TlsRequirement.AfterRefusal.REFUSE, requirement.replyCodes());
        }
        Optional<TlsProtocol> protocol = facts.protocol();
        if (protocol.isEmpty()) {
            return refuse(requirement, RefusalReason.PROTOCOL_UNKNOWN,
                "unknown TLS protocol \"" + facts.protocolName() + "\": its strength cannot be assessed");
        }
        if (requirement.minProtocol().isPresent() && !protocol.get().isAtLeast(requirement.minProtocol().get())) {
            return refuse(requirement, RefusalReason.PROTOCOL_TOO_OLD,
                "protocol too old: " + protocol.get() + ", " + requirement.minProtocol().get() + " required");
        }
        Optional<CipherSuite> suite = facts.cipherSuite();
        if (suite.isEmpty()) {
            return refuse(requirement, RefusalReason.CIPHER_UNKNOWN,
                "unknown cipher suite " + facts.cipherSuiteName() + ": its strength cannot be assessed");
        }
        Optional<String> prohibited = prohibition(suite.get());
        if (prohibited.isPresent()) {
            return refuse(requirement, RefusalReason.CIPHER_PROHIBITED, prohibited.get());
        }
        if (suite.get().bits() < requirement.minCipherBits()) {
            return refuse(requirement, RefusalReason.CIPHER_TOO_WEAK,
                "encryption too weak: " + suite.get().bits() + " bits, " + requirement.minCipherBits() + " required");
        }
        if (!requirement.requiresCertificate()) {
            return Verdict.accept();
        }
        return certificateVerdict(requirement, facts);
    }

    private static Verdict certificateVerdict(TlsRequirement requirement, TlsFacts facts) {
        CertificateStatus status = facts.certificateStatus();
        switch (status.outcome()) {
            case NO:
            case NONE:
                return refuse(requirement, RefusalReason.CERTIFICATE_MISSING, "certificate required, none presented");
            case FAIL:
                return refuse(requirement, RefusalReason.CERTIFICATE_UNTRUSTED, "certificate not trusted: " + status.detail());
            case TEMP:
                // The peer may well be fine: never turn "could not check now" into a permanent refusal.
                return Verdict.refuse(RefusalReason.CERTIFICATE_UNCHECKED, TlsRequirement.Failure.TEMPORARY,
                    "certificate could not be checked: " + status.detail(), requirement.afterRefusal(), requirement.replyCodes());
            case OK:
                break;
            default:
                throw new IllegalStateException(status.outcome().name());
        }
        PeerCertificate certificate = facts.peerCertificate()
            .orElseThrow(() -> new IllegalStateException("verified status without a certificate"));
        for (IdentityConstraint constraint : requirement.identity()) {
            Optional<String> mismatch = constraint.mismatch(certificate);
            if (mismatch.isPresent()) {
                return refuse(requirement, RefusalReason.IDENTITY_MISMATCH, "certificate identity mismatch: " + mismatch.get());
            }
        }
        return Verdict.accept();
    }

    /** Suites refused whatever the floor: no encryption, RC4 (RFC 7465) and export grade. */
    private static Optional<String> prohibition(CipherSuite suite) {
        if (suite.has(CipherWeakness.NULL_CIPHER)) {
            return Optional.of("no encryption: cipher suite " + suite.name() + " does not encrypt");
        }
        if (suite.has(CipherWeakness.RC4)) {
            return Optional.of("cipher suite " + suite.name() + " uses RC4, prohibited by RFC 7465");
        }
        if (suite.has(CipherWeakness.EXPORT)) {
            return Optional.of("cipher suite " + suite.name() + " is export grade (" + suite.bits() + " bits)");
        }
        return Optional.empty();
    }

    private static Verdict refuse(TlsRequirement requirement, RefusalReason reason, String text) {
        return Verdict.refuse(reason, requirement.failure(), text, requirement.afterRefusal(), requirement.replyCodes());
    }
}
