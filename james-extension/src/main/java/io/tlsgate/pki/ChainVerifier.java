package io.tlsgate.pki;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.PeerCertificate;
import io.tlsgate.policy.TlsRequirement;

/**
 * Decides whether a presented certificate chain is acceptable, with one reason when it is not: validity dates,
 * key sizes and signature algorithms, key purposes, pins, a path to a configured trust anchor (JDK PKIX), and
 * revocation. The result is Sendmail's {verify}: OK, NO, FAIL with the reason, or TEMP when a check could not be
 * made now.
 */
public final class ChainVerifier {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_PURPOSE = "2.5.29.37.0";

    private final TrustAnchorStore anchors;
    private final RevocationChecker revocation;
    private final Clock clock;

    /** A verifier with no anchors of its own: checks keys, purposes and pins, and relies on the listener for the path. */
    public static ChainVerifier withoutAnchors(Clock clock) {
        return new ChainVerifier(TrustAnchorStore.of(List.of()), RevocationChecker.disabled(), clock);
    }

    public ChainVerifier(TrustAnchorStore anchors, RevocationChecker revocation, Clock clock) {
        this.anchors = anchors;
        this.revocation = revocation;
        this.clock = clock;
    }

    public boolean checksRevocation() {
        return revocation.enabled();
    }

    /** Changes when a CRL file this verifier reads is replaced. */
    public long crlFileGeneration() {
        return revocation.crlFileGeneration();
    }

    /** What the TLS layer already established about the chain. */
    public enum Path {
        /** Nothing: the path to a trust anchor is checked here. */
        TO_CHECK,
        /** The listener's own trust store verified the chain during the handshake (James's clientAuth). */
        VOUCHED_BY_LISTENER
    }

    /**
     * @param chain the peer's certificates, its own first, as presented
     * @param level FINGERPRINT checks pins instead of a path to an anchor; every other level checks the path
     */
    public CertificateStatus verify(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement) {
        return verify(chain, level, requirement, Path.TO_CHECK);
    }

    public CertificateStatus verify(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                    Path path) {
        return verify(chain, level, requirement, path, Optional.empty());
    }

    /**
     * A server's chain (outbound): the certificate must allow serverAuth and, at levels verify and secure, carry
     * {@code name} (RFC 6125).
     */
    public CertificateStatus verifyServer(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                          ServerName name) {
        return verify(chain, level, requirement, Path.TO_CHECK, Optional.of(name));
    }

    private CertificateStatus verify(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                     Path path, Optional<ServerName> server) {
        if (chain.isEmpty()) {
            return CertificateStatus.noCertificate();
        }
        X509Certificate leaf = chain.get(0);
        Optional<String> problem = dates(chain)
            .or(() -> strength(chain, requirement))
            .or(() -> server.isPresent() ? serverPurpose(leaf) : purpose(leaf, requirement))
            .or(() -> pins(chain, requirement));
        if (problem.isPresent()) {
            return CertificateStatus.failed(problem.get());
        }
        if (level == TlsRequirement.Level.FINGERPRINT) {
            // pins() above matched one; without pins nothing identifies the peer.
            return requirement.pins().isEmpty()
                ? CertificateStatus.failed("level fingerprint without pins: nothing to compare the certificate with")
                : CertificateStatus.ok("pinned " + describe(leaf));
        }
        if (path == Path.VOUCHED_BY_LISTENER) {
            return CertificateStatus.ok(VOUCHED);
        }
        if (anchors.certificates().isEmpty()) {
            return CertificateStatus.failed("not verified: no trust anchors (configure <verification>)");
        }
        PKIXCertPathBuilderResult built;
        try {
            built = buildPath(chain);
        } catch (CertPathBuilderException e) {
            return CertificateStatus.failed(untrustedReason(chain));
        }
        String anchor = built.getTrustAnchor().getTrustedCert().getSubjectX500Principal().getName();
        if (server.isPresent() && !server.get().matches(leaf, CertificateIdentityReader.read(leaf))) {
            return CertificateStatus.failed("certificate names " + server.get().presented(leaf, CertificateIdentityReader.read(leaf))
                + ", not the " + server.get().describe());
        }
        if (requirement.revocation() == CertificateRequirement.Revocation.OFF || !revocation.enabled()) {
            return CertificateStatus.ok("chain to " + anchor + (revocation.enabled() ? "; revocation not checked by this rule" : ""));
        }
        return revocationStatus(built, anchor, requirement.revocation());
    }

    /** How an acceptance by the listener's trust store is described. */
    public static final String VOUCHED = "verified by the listener's truststore";

    private Optional<String> dates(List<X509Certificate> chain) {
        Instant now = clock.instant();
        for (X509Certificate certificate : chain) {
            if (now.isAfter(certificate.getNotAfter().toInstant())) {
                return Optional.of("certificate expired on " + certificate.getNotAfter().toInstant() + ": " + describe(certificate));
            }
            if (now.isBefore(certificate.getNotBefore().toInstant())) {
                return Optional.of("certificate not valid before " + certificate.getNotBefore().toInstant() + ": " + describe(certificate));
            }
        }
        return Optional.empty();
    }

    /**
     * Key sizes and signature algorithms of every presented certificate that is not a configured trust anchor
     * (anchors are the administrator's choice, checked or not whether or not the client sends them).
     */
    private Optional<String> strength(List<X509Certificate> chain, CertificateRequirement requirement) {
        for (X509Certificate certificate : chain) {
            if (anchors.contains(certificate)) {
                continue;
            }
            PublicKey key = certificate.getPublicKey();
            if (key instanceof RSAPublicKey) {
                int bits = ((RSAPublicKey) key).getModulus().bitLength();
                if (bits < requirement.minRsaBits()) {
                    return Optional.of("weak key: RSA " + bits + " bits, " + requirement.minRsaBits() + " required: " + describe(certificate));
                }
            } else if (key instanceof ECPublicKey) {
                int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
                if (bits < requirement.minEcBits()) {
                    return Optional.of("weak key: EC " + bits + " bits, " + requirement.minEcBits() + " required: " + describe(certificate));
                }
            } else if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm()) && !"Ed448".equals(key.getAlgorithm())) {
                return Optional.of("unsupported key algorithm " + key.getAlgorithm() + ": " + describe(certificate));
            }
            String algorithm = certificate.getSigAlgName().toUpperCase(Locale.ROOT);
            if (algorithm.contains("MD5") || algorithm.contains("MD2") || algorithm.startsWith("SHA1") || algorithm.contains("SHA1WITH")) {
                return Optional.of("weak signature: " + certificate.getSigAlgName() + " is not accepted: " + describe(certificate));
            }
        }
        return Optional.empty();
    }

    private Optional<String> purpose(X509Certificate leaf, CertificateRequirement requirement) {
        List<String> purposes;
        try {
            purposes = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            return Optional.of("unreadable extendedKeyUsage: " + describe(leaf));
        }
        if (purposes != null && !purposes.contains(CLIENT_AUTH) && !purposes.contains(ANY_PURPOSE)) {
            if (!(requirement.acceptServerAuthOnly() && purposes.contains(SERVER_AUTH))) {
                return Optional.of("not a client certificate: extendedKeyUsage allows " + purposeNames(purposes)
                    + (purposes.contains(SERVER_AUTH) ? " (a rule may accept serverAuth-only certificates)" : "") + ": " + describe(leaf));
            }
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && !usage[0]) {
            return Optional.of("keyUsage does not allow digitalSignature: " + describe(leaf));
        }
        return Optional.empty();
    }

    /**
     * A server certificate must allow serverAuth (or any purpose) and, when it has a keyUsage, a TLS server key use:
     * digitalSignature, keyEncipherment or keyAgreement (as OpenSSL's SSL server purpose; the handshake's trust
     * manager accepts everything, so nothing else checks it).
     */
    private static Optional<String> serverPurpose(X509Certificate leaf) {
        List<String> purposes;
        try {
            purposes = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            return Optional.of("unreadable extendedKeyUsage: " + describe(leaf));
        }
        if (purposes != null && !purposes.contains(SERVER_AUTH) && !purposes.contains(ANY_PURPOSE)) {
            return Optional.of("not a server certificate: extendedKeyUsage allows " + purposeNames(purposes) + ": " + describe(leaf));
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && !usage[0] && !usage[2] && !(usage.length > 4 && usage[4])) {
            return Optional.of("keyUsage allows none of digitalSignature, keyEncipherment, keyAgreement: " + describe(leaf));
        }
        return Optional.empty();
    }

    private Optional<String> pins(List<X509Certificate> chain, CertificateRequirement requirement) {
        if (requirement.pins().isEmpty()) {
            return Optional.empty();
        }
        for (X509Certificate certificate : chain) {
            PeerCertificate identity = CertificateIdentityReader.read(certificate);
            for (CertificatePin pin : requirement.pins()) {
                if (pin.matches(identity)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("pin mismatch: no certificate of the chain matches a configured pin (leaf "
            + describe(chain.get(0)) + " spki:sha256:" + CertificateIdentityReader.read(chain.get(0)).spkiSha256() + ")");
    }

    private PKIXCertPathBuilderResult buildPath(List<X509Certificate> chain) throws CertPathBuilderException {
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(chain.get(0));
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors.anchors(), target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            return (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("no trust anchors", e);
        } catch (GeneralSecurityException e) {
            if (e instanceof CertPathBuilderException) {
                throw (CertPathBuilderException) e;
            }
            throw new IllegalStateException("PKIX is missing from this JVM", e);
        }
    }

    /** Why no path was found, in the terms an administrator can act on. */
    private String untrustedReason(List<X509Certificate> chain) {
        X509Certificate top = chain.get(0);
        // Follow the presented chain as far as it links up.
        for (int i = 1; i < chain.size(); i++) {
            X509Certificate next = chain.get(i);
            if (!top.getIssuerX500Principal().equals(next.getSubjectX500Principal()) || !signedBy(top, next.getPublicKey())) {
                break;
            }
            top = next;
        }
        if (top.getIssuerX500Principal().equals(top.getSubjectX500Principal()) && signedBy(top, top.getPublicKey())) {
            return (top == chain.get(0) ? "self-signed certificate " : "untrusted root ") + describe(top);
        }
        for (X509Certificate anchor : anchors.certificates()) {
            if (anchor.getSubjectX500Principal().equals(top.getIssuerX500Principal()) && !signedBy(top, anchor.getPublicKey())) {
                return "signature does not verify with the key of trusted " + anchor.getSubjectX500Principal().getName()
                    + ": " + describe(top);
            }
        }
        return "unknown issuer " + top.getIssuerX500Principal().getName();
    }

    private CertificateStatus revocationStatus(PKIXCertPathBuilderResult path, String anchor, CertificateRequirement.Revocation mode) {
        @SuppressWarnings("unchecked")
        List<X509Certificate> certificates = (List<X509Certificate>) path.getCertPath().getCertificates();
        List<String> unknown = new ArrayList<>();
        String sources = "";
        for (int i = 0; i < certificates.size(); i++) {
            X509Certificate certificate = certificates.get(i);
            X509Certificate issuer = i + 1 < certificates.size() ? certificates.get(i + 1) : path.getTrustAnchor().getTrustedCert();
            RevocationStatus status = revocation.check(certificate, issuer);
            switch (status.state()) {
                case REVOKED:
                    return CertificateStatus.failed("certificate " + status + ": " + describe(certificate));
                case UNKNOWN:
                    unknown.add(describe(certificate) + ": " + status.detail());
                    break;
                default:
                    sources = status.source();
            }
        }
        if (unknown.isEmpty()) {
            return CertificateStatus.ok("chain to " + anchor + "; not revoked (" + sources + ")");
        }
        if (mode == CertificateRequirement.Revocation.SOFT_FAIL) {
            return CertificateStatus.ok("chain to " + anchor + "; revocation status unknown, accepted by soft-fail ("
                + String.join("; ", unknown) + ")");
        }
        return CertificateStatus.temporaryFailure("revocation status unknown: " + String.join("; ", unknown));
    }

    private static boolean signedBy(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String purposeNames(List<String> oids) {
        List<String> names = new ArrayList<>();
        for (String oid : oids) {
            switch (oid) {
                case SERVER_AUTH:
                    names.add("serverAuth");
                    break;
                case CLIENT_AUTH:
                    names.add("clientAuth");
                    break;
                case "1.3.6.1.5.5.7.3.4":
                    names.add("emailProtection");
                    break;
                case "1.3.6.1.5.5.7.3.3":
                    names.add("codeSigning");
                    break;
                default:
                    names.add(oid);
            }
        }
        return String.join(", ", names) + " only";
    }

    static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
