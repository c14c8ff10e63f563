package io.tlsgate.pki;

import static io.tlsgate.pki.TestCertificates.LEAF_KEY;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.certificateSha256;
import static io.tlsgate.pki.TestCertificates.ecKey;
import static io.tlsgate.pki.TestCertificates.rsaKey;
import static io.tlsgate.pki.TestCertificates.spkiSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.ChainVerifier.Path;
import io.tlsgate.pki.TestCertificates.Authority;
import io.tlsgate.pki.TestCertificates.Leaf;
import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CertificateStatus.Outcome;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * Chains judged at the fixed instant {@link TestCertificates#T}, without revocation checks (see
 * {@link ChainVerifierRevocationTest}): each reason the verifier can give, and which check speaks first.
 */
class ChainVerifierTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

    static final Authority ROOT = Authority.root("CN=Partner Root CA,O=Partner", rsaKey("root", 2048));
    static final Authority ISSUING = ROOT.intermediate("CN=Partner Issuing CA,O=Partner", ecKey("secp256r1"));
    /** A second anchor, whose own signature is SHA-1: an anchor is trusted as configured, not by its signature. */
    static final Authority SHA1_ROOT = Authority.root("CN=Legacy Root CA,O=Partner", rsaKey("root", 2048), "SHA1withRSA");
    static final Authority OTHER_ROOT = Authority.root("CN=Other Root CA,O=Other", ecKey("secp256r1"));
    static final Authority UNKNOWN_ROOT = Authority.root("CN=Unknown Root CA,O=Unknown", ecKey("secp256r1"));
    static final Authority UNKNOWN_ISSUING = UNKNOWN_ROOT.intermediate("CN=Unknown Issuing CA,O=Unknown", ecKey("secp256r1"));
    /** Claims the root's name with another key. */
    static final Authority IMPOSTOR = Authority.root("CN=Partner Root CA,O=Partner", ecKey("secp256r1"));

    private static final String ANCHOR = "CN=Partner Root CA,O=Partner";
    private static final String CHAIN_TO_ROOT = "chain to " + ANCHOR;
    private static final String MX = "CN=mx.partner.example,O=Partner";
    private static final CertificateRequirement DEFAULTS = CertificateRequirement.defaults();
    private static final CertificateRequirement SERVER_AUTH_OK = CertificateRequirement.builder().acceptServerAuthOnly(true).build();

    private static final ChainVerifier VERIFIER = new ChainVerifier(TrustAnchorStore.of(List.of(ROOT.certificate, SHA1_ROOT.certificate)),
        RevocationChecker.disabled(), CLOCK);

    static Stream<Arguments> accepted() {
        X509Certificate viaIntermediate = ISSUING.issue(MX).build();
        KeyPair pinnedKey = ecKey("secp256r1");
        X509Certificate pinnedLeaf = ROOT.issue(MX, pinnedKey).build();
        return Stream.of(
            ok("issued by the root", List.of(ROOT.issue(MX).build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("via an intermediate", List.of(viaIntermediate, ISSUING.certificate), DEFAULTS, CHAIN_TO_ROOT),
            ok("via an intermediate, root presented too", List.of(viaIntermediate, ISSUING.certificate, ROOT.certificate), DEFAULTS,
                CHAIN_TO_ROOT),
            ok("issued by the other anchor", List.of(SHA1_ROOT.issue(MX).build()), DEFAULTS, "chain to CN=Legacy Root CA,O=Partner"),
            ok("a SHA-1 signed anchor presented", List.of(SHA1_ROOT.issue(MX).build(), SHA1_ROOT.certificate), DEFAULTS,
                "chain to CN=Legacy Root CA,O=Partner"),
            ok("valid from this very second", List.of(ROOT.issue(MX).valid(T, T.plusSeconds(60)).build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("valid until this very second", List.of(ROOT.issue(MX).valid(T.minusSeconds(60), T).build()), DEFAULTS, CHAIN_TO_ROOT),
            // keys
            ok("RSA 2048", List.of(ROOT.issue(MX, rsaKey("root", 2048)).build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("RSA 1024 when the rule allows 1024", List.of(ROOT.issue(MX, rsaKey("weak", 1024)).build()),
                CertificateRequirement.builder().minRsaBits(1024).build(), CHAIN_TO_ROOT),
            ok("EC P-384", List.of(ROOT.issue(MX, ecKey("secp384r1")).build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("EC P-384 at minEcBits 384", List.of(ROOT.issue(MX, ecKey("secp384r1")).build()),
                CertificateRequirement.builder().minEcBits(384).build(), CHAIN_TO_ROOT),
            ok("EC P-224 when the rule allows 224", List.of(ROOT.issue(MX, ecKey("secp224r1")).build()),
                CertificateRequirement.builder().minEcBits(224).build(), CHAIN_TO_ROOT),
            ok("Ed25519", List.of(ROOT.issue(MX, keyPair("Ed25519")).build()), DEFAULTS, CHAIN_TO_ROOT),
            // purposes
            ok("clientAuth and serverAuth", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth).build()),
                DEFAULTS, CHAIN_TO_ROOT),
            ok("no extendedKeyUsage", List.of(ROOT.issue(MX).noExtendedKeyUsage().build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("anyExtendedKeyUsage", List.of(ROOT.issue(MX).purposes(KeyPurposeId.anyExtendedKeyUsage).build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("serverAuth only, accepted by the rule", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_serverAuth).build()),
                SERVER_AUTH_OK, CHAIN_TO_ROOT),
            ok("no keyUsage", List.of(ROOT.issue(MX).noKeyUsage().build()), DEFAULTS, CHAIN_TO_ROOT),
            ok("keyUsage digitalSignature and keyEncipherment",
                List.of(ROOT.issue(MX).keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment).build()), DEFAULTS, CHAIN_TO_ROOT),
            // pins, on top of the path
            ok("a key pin of the leaf", List.of(pinnedLeaf), pins(pin(CertificatePin.Of.SPKI, spkiSha256(pinnedLeaf))), CHAIN_TO_ROOT),
            ok("a certificate pin of the intermediate", List.of(viaIntermediate, ISSUING.certificate),
                pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(ISSUING.certificate))), CHAIN_TO_ROOT),
            ok("the second of two pins", List.of(pinnedLeaf),
                pins(pin(CertificatePin.Of.SPKI, spkiSha256(ROOT.certificate)), pin(CertificatePin.Of.CERTIFICATE, certificateSha256(pinnedLeaf))),
                CHAIN_TO_ROOT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void accepted(String name, List<X509Certificate> chain, CertificateRequirement requirement, String how) {
        assertStatus(VERIFIER.verify(chain, Level.VERIFY, requirement), Outcome.OK, how);
    }

    static Stream<Arguments> refused() {
        X509Certificate self = Leaf.selfSigned("CN=self.example", ecKey("secp256r1")).build();
        Authority weakIssuing = ROOT.intermediate("CN=Weak Issuing CA,O=Partner", rsaKey("weak", 1024));
        Authority sha1Issuing = ROOT.intermediate("CN=SHA-1 Issuing CA,O=Partner", ecKey("secp256r1"), l -> l.signedWith("SHA1withRSA"));
        Authority expiredIssuing = ROOT.intermediate("CN=Expired Issuing CA,O=Partner", ecKey("secp256r1"),
            l -> l.valid(T.minus(Duration.ofDays(400)), T.minus(Duration.ofDays(1))));
        X509Certificate pinned = ROOT.issue(MX, ecKey("secp256r1")).build();
        X509Certificate serverOnly = ROOT.issue(MX).purposes(KeyPurposeId.id_kp_serverAuth).build();
        return Stream.of(
            // dates
            fail("expired a second ago", List.of(ROOT.issue(MX).valid(T.minus(Duration.ofDays(30)), T.minusSeconds(1)).build()), DEFAULTS,
                "certificate expired on 2026-03-02T11:59:59Z: " + MX),
            fail("valid from the next second", List.of(ROOT.issue(MX).valid(T.plusSeconds(1), T.plus(Duration.ofDays(30))).build()), DEFAULTS,
                "certificate not valid before 2026-03-02T12:00:01Z: " + MX),
            fail("an expired intermediate", List.of(expiredIssuing.issue(MX).build(), expiredIssuing.certificate), DEFAULTS,
                "certificate expired on 2026-03-01T12:00:00Z: CN=Expired Issuing CA,O=Partner"),
            // keys
            fail("RSA 1024", List.of(ROOT.issue(MX, rsaKey("weak", 1024)).build()), DEFAULTS, "weak key: RSA 1024 bits, 2048 required: " + MX),
            fail("RSA 2048 under minRsaBits 3072", List.of(ROOT.issue(MX, rsaKey("root", 2048)).build()),
                CertificateRequirement.builder().minRsaBits(3072).build(), "weak key: RSA 2048 bits, 3072 required: " + MX),
            fail("EC P-224", List.of(ROOT.issue(MX, ecKey("secp224r1")).build()), DEFAULTS, "weak key: EC 224 bits, 256 required: " + MX),
            fail("EC P-256 under minEcBits 384", List.of(ROOT.issue(MX).build()), CertificateRequirement.builder().minEcBits(384).build(),
                "weak key: EC 256 bits, 384 required: " + MX),
            fail("an intermediate with RSA 1024", List.of(weakIssuing.issue(MX).build(), weakIssuing.certificate), DEFAULTS,
                "weak key: RSA 1024 bits, 2048 required: CN=Weak Issuing CA,O=Partner"),
            fail("a DSA key", List.of(ROOT.issue(MX, keyPair("DSA")).build()), DEFAULTS, "unsupported key algorithm DSA: " + MX),
            // signatures
            fail("SHA1withRSA", List.of(ROOT.issue(MX).signedWith("SHA1withRSA").build()), DEFAULTS,
                "weak signature: SHA1withRSA is not accepted: " + MX),
            fail("MD5withRSA", List.of(ROOT.issue(MX).signedWith("MD5withRSA").build()), DEFAULTS,
                "weak signature: MD5withRSA is not accepted: " + MX),
            fail("SHA1withECDSA", List.of(ISSUING.issue(MX).signedWith("SHA1withECDSA").build(), ISSUING.certificate), DEFAULTS,
                "weak signature: SHA1withECDSA is not accepted: " + MX),
            fail("an intermediate signed with SHA-1", List.of(sha1Issuing.issue(MX).build(), sha1Issuing.certificate), DEFAULTS,
                "weak signature: SHA1withRSA is not accepted: CN=SHA-1 Issuing CA,O=Partner"),
            // purposes
            fail("serverAuth only", List.of(serverOnly), DEFAULTS, "not a client certificate: extendedKeyUsage allows serverAuth only"
                + " (a rule may accept serverAuth-only certificates): " + MX),
            fail("emailProtection only", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_emailProtection).build()), DEFAULTS,
                "not a client certificate: extendedKeyUsage allows emailProtection only: " + MX),
            fail("emailProtection only, even when serverAuth-only is accepted",
                List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_emailProtection).build()), SERVER_AUTH_OK,
                "not a client certificate: extendedKeyUsage allows emailProtection only: " + MX),
            fail("serverAuth and emailProtection",
                List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_emailProtection).build()), DEFAULTS,
                "not a client certificate: extendedKeyUsage allows serverAuth, emailProtection only"
                    + " (a rule may accept serverAuth-only certificates): " + MX),
            fail("codeSigning", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_codeSigning).build()), DEFAULTS,
                "not a client certificate: extendedKeyUsage allows codeSigning only: " + MX),
            fail("a purpose without a name", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_OCSPSigning).build()), DEFAULTS,
                "not a client certificate: extendedKeyUsage allows 1.3.6.1.5.5.7.3.9 only: " + MX),
            fail("keyUsage without digitalSignature", List.of(ROOT.issue(MX).keyUsage(KeyUsage.keyEncipherment).build()), DEFAULTS,
                "keyUsage does not allow digitalSignature: " + MX),
            // pins
            fail("a pin of another key", List.of(pinned), pins(pin(CertificatePin.Of.SPKI, spkiSha256(ISSUING.certificate))),
                "pin mismatch: no certificate of the chain matches a configured pin (leaf " + MX + " spki:sha256:" + spkiSha256(pinned) + ")"),
            fail("a key digest pinned as a certificate", List.of(pinned), pins(pin(CertificatePin.Of.CERTIFICATE, spkiSha256(pinned))),
                "pin mismatch: no certificate of the chain matches a configured pin (leaf " + MX + " spki:sha256:" + spkiSha256(pinned) + ")"),
            fail("a pin of the root, which the client did not present", List.of(pinned),
                pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(ROOT.certificate))),
                "pin mismatch: no certificate of the chain matches a configured pin (leaf " + MX + " spki:sha256:" + spkiSha256(pinned) + ")"),
            // the path
            fail("missing intermediate", List.of(ISSUING.issue(MX).build()), DEFAULTS, "unknown issuer CN=Partner Issuing CA,O=Partner"),
            fail("a chain to an unknown CA", List.of(UNKNOWN_ISSUING.issue(MX).build(), UNKNOWN_ISSUING.certificate), DEFAULTS,
                "unknown issuer CN=Unknown Root CA,O=Unknown"),
            fail("self-signed", List.of(self), DEFAULTS, "self-signed certificate CN=self.example"),
            fail("an untrusted root presented", List.of(OTHER_ROOT.issue(MX).build(), OTHER_ROOT.certificate), DEFAULTS,
                "untrusted root CN=Other Root CA,O=Other"),
            fail("an unknown chain with its root", List.of(UNKNOWN_ISSUING.issue(MX).build(), UNKNOWN_ISSUING.certificate, UNKNOWN_ROOT.certificate),
                DEFAULTS, "untrusted root CN=Unknown Root CA,O=Unknown"),
            fail("issued in the name of a trusted CA, signed by another key", List.of(IMPOSTOR.issue(MX).build()), DEFAULTS,
                "signature does not verify with the key of trusted " + ANCHOR + ": " + MX),
            fail("an impostor root presented", List.of(IMPOSTOR.issue(MX).build(), IMPOSTOR.certificate), DEFAULTS,
                "untrusted root " + ANCHOR),
            fail("a chain that does not link up", List.of(ISSUING.issue(MX).build(), OTHER_ROOT.certificate), DEFAULTS,
                "unknown issuer CN=Partner Issuing CA,O=Partner"),
            // which check speaks first
            fail("expired and weak: dates first", List.of(ROOT.issue(MX, rsaKey("weak", 1024)).valid(T.minus(Duration.ofDays(9)), T.minus(Duration.ofDays(1))).build()),
                DEFAULTS, "certificate expired on 2026-03-01T12:00:00Z: " + MX),
            fail("weak and serverAuth only: the key first", List.of(ROOT.issue(MX, rsaKey("weak", 1024)).purposes(KeyPurposeId.id_kp_serverAuth).build()),
                DEFAULTS, "weak key: RSA 1024 bits, 2048 required: " + MX),
            fail("serverAuth only and a pin mismatch: the purpose first", List.of(serverOnly),
                pins(pin(CertificatePin.Of.SPKI, spkiSha256(ROOT.certificate))), "not a client certificate: extendedKeyUsage allows serverAuth only"
                    + " (a rule may accept serverAuth-only certificates): " + MX),
            fail("a pin mismatch and an unknown CA: the pin first", List.of(self), pins(pin(CertificatePin.Of.SPKI, spkiSha256(ROOT.certificate))),
                "pin mismatch: no certificate of the chain matches a configured pin (leaf CN=self.example spki:sha256:" + spkiSha256(self) + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refused(String name, List<X509Certificate> chain, CertificateRequirement requirement, String reason) {
        assertStatus(VERIFIER.verify(chain, Level.VERIFY, requirement), Outcome.FAIL, reason);
    }

    /** Level fingerprint: the pins replace the path; every other check still applies. */
    static Stream<Arguments> fingerprint() {
        KeyPair key = ecKey("secp256r1");
        X509Certificate self = Leaf.selfSigned("CN=self.example", key).build();
        X509Certificate untrusted = OTHER_ROOT.issue(MX, key).build();
        CertificateRequirement keyPin = pins(pin(CertificatePin.Of.SPKI, spkiSha256(self)));
        return Stream.of(
            row("a pinned self-signed certificate", List.of(self), keyPin, Outcome.OK, "pinned CN=self.example"),
            row("pinned by certificate", List.of(self), pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(self))), Outcome.OK,
                "pinned CN=self.example"),
            row("a pinned key under an untrusted CA", List.of(untrusted, OTHER_ROOT.certificate), keyPin, Outcome.OK, "pinned " + MX),
            row("the CA pinned, not the leaf", List.of(untrusted, OTHER_ROOT.certificate),
                pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(OTHER_ROOT.certificate))), Outcome.OK, "pinned " + MX),
            row("a trusted chain with an unpinned key", List.of(ROOT.issue(MX).build()), keyPin, Outcome.FAIL,
                "pin mismatch: no certificate of the chain matches a configured pin (leaf " + MX + " spki:sha256:" + spkiOfKey(LEAF_KEY) + ")"),
            row("pinned but expired", List.of(Leaf.selfSigned("CN=self.example", key).valid(T.minus(Duration.ofDays(9)), T.minusSeconds(1)).build()),
                keyPin, Outcome.FAIL, "certificate expired on 2026-03-02T11:59:59Z: CN=self.example"),
            row("pinned but serverAuth only", List.of(Leaf.selfSigned("CN=self.example", key).purposes(KeyPurposeId.id_kp_serverAuth).build()),
                keyPin, Outcome.FAIL, "not a client certificate: extendedKeyUsage allows serverAuth only"
                    + " (a rule may accept serverAuth-only certificates): CN=self.example"),
            row("pinned but weak", List.of(Leaf.selfSigned("CN=weak.example", rsaKey("weak", 1024)).build()),
                pins(pin(CertificatePin.Of.SPKI, spkiOfKey(rsaKey("weak", 1024)))), Outcome.FAIL, "weak key: RSA 1024 bits, 2048 required: CN=weak.example"),
            // TlsRequirement refuses such a rule; the verifier fails closed on its own too.
            row("no pins at all", List.of(self), DEFAULTS, Outcome.FAIL,
                "level fingerprint without pins: nothing to compare the certificate with"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void fingerprint(String name, List<X509Certificate> chain, CertificateRequirement requirement, Outcome outcome, String detail) {
        assertStatus(VERIFIER.verify(chain, Level.FINGERPRINT, requirement), outcome, detail);
    }

    /** James's clientAuth listener already verified the path: the other checks remain. */
    static Stream<Arguments> vouchedByTheListener() {
        X509Certificate self = Leaf.selfSigned("CN=self.example", ecKey("secp256r1")).build();
        return Stream.of(
            row("a self-signed certificate", List.of(self), DEFAULTS, Outcome.OK, ChainVerifier.VOUCHED),
            row("an unknown CA", List.of(UNKNOWN_ISSUING.issue(MX).build(), UNKNOWN_ISSUING.certificate), DEFAULTS, Outcome.OK,
                "verified by the listener's truststore"),
            row("expired", List.of(ROOT.issue(MX).valid(T.minus(Duration.ofDays(9)), T.minusSeconds(1)).build()), DEFAULTS, Outcome.FAIL,
                "certificate expired on 2026-03-02T11:59:59Z: " + MX),
            row("serverAuth only", List.of(ROOT.issue(MX).purposes(KeyPurposeId.id_kp_serverAuth).build()), DEFAULTS, Outcome.FAIL,
                "not a client certificate: extendedKeyUsage allows serverAuth only (a rule may accept serverAuth-only certificates): " + MX),
            row("a pin mismatch", List.of(self), pins(pin(CertificatePin.Of.SPKI, spkiSha256(ROOT.certificate))), Outcome.FAIL,
                "pin mismatch: no certificate of the chain matches a configured pin (leaf CN=self.example spki:sha256:" + spkiSha256(self) + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void vouchedByTheListener(String name, List<X509Certificate> chain, CertificateRequirement requirement, Outcome outcome, String detail) {
        assertStatus(VERIFIER.verify(chain, Level.VERIFY, requirement, Path.VOUCHED_BY_LISTENER), outcome, detail);
        assertStatus(ChainVerifier.withoutAnchors(CLOCK).verify(chain, Level.VERIFY, requirement, Path.VOUCHED_BY_LISTENER), outcome, detail);
    }

    @Test
    void withoutAnchorsNothingVerifiesAPath() {
        ChainVerifier verifier = ChainVerifier.withoutAnchors(CLOCK);
        X509Certificate leaf = ROOT.issue(MX).build();
        assertThat(verifier.checksRevocation()).isFalse();
        assertStatus(verifier.verify(List.of(leaf, ROOT.certificate), Level.VERIFY, DEFAULTS), Outcome.FAIL,
            "not verified: no trust anchors (configure <verification>)");
        assertStatus(verifier.verify(List.of(leaf), Level.FINGERPRINT, pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(leaf)))),
            Outcome.OK, "pinned " + MX);
    }

    @Test
    void noCertificateIsNo() {
        assertStatus(VERIFIER.verify(List.of(), Level.VERIFY, DEFAULTS), Outcome.NO, "no certificate presented");
        assertStatus(VERIFIER.verify(List.of(), Level.FINGERPRINT, DEFAULTS, Path.VOUCHED_BY_LISTENER), Outcome.NO, "no certificate presented");
    }

    /** The time is the verifier's clock, not the machine's: the same chain is good at T and expired a year later. */
    @Test
    void datesAreReadFromTheClock() {
        List<X509Certificate> chain = List.of(ROOT.issue(MX).valid(T.minus(Duration.ofDays(1)), T.plus(Duration.ofDays(1))).build());
        ChainVerifier later = new ChainVerifier(TrustAnchorStore.of(List.of(ROOT.certificate)), RevocationChecker.disabled(),
            Clock.fixed(T.plus(Duration.ofDays(2)), ZoneOffset.UTC));
        assertStatus(VERIFIER.verify(chain, Level.VERIFY, DEFAULTS), Outcome.OK, CHAIN_TO_ROOT);
        assertStatus(later.verify(chain, Level.VERIFY, DEFAULTS), Outcome.FAIL, "certificate expired on 2026-03-03T12:00:00Z: " + MX);
    }

    static void assertStatus(CertificateStatus status, Outcome outcome, String detail) {
        assertThat(status).extracting(CertificateStatus::outcome, CertificateStatus::detail).containsExactly(outcome, detail);
    }

    private static Arguments ok(String name, List<X509Certificate> chain, CertificateRequirement requirement, String how) {
        return Arguments.of(name, chain, requirement, how);
    }

    private static Arguments fail(String name, List<X509Certificate> chain, CertificateRequirement requirement, String reason) {
        return Arguments.of(name, chain, requirement, reason);
    }

    private static Arguments row(String name, List<X509Certificate> chain, CertificateRequirement requirement, Outcome outcome, String detail) {
        return Arguments.of(name, chain, requirement, outcome, detail);
    }

    static CertificateRequirement pins(CertificatePin... pins) {
        CertificateRequirement.Builder builder = CertificateRequirement.builder();
        for (CertificatePin pin : pins) {
            builder.pin(pin);
        }
        return builder.build();
    }

    static CertificatePin pin(CertificatePin.Of of, String hex) {
        return CertificatePin.parse(of, hex);
    }

    private static String spkiOfKey(KeyPair key) {
        return TestCertificates.spkiSha256(Leaf.selfSigned("CN=key", key).build());
    }

    private static KeyPair keyPair(String algorithm) {
        try {
            return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
