package io.tlsgate.pki;

import static io.tlsgate.pki.ChainVerifierTest.assertStatus;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.certificateSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates.Authority;
import io.tlsgate.pki.TestRevocations.Crl;
import io.tlsgate.pki.TestRevocations.OcspAnswer;
import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CertificateStatus.Outcome;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * The cache in front of the verifier. Whether a verification ran is seen at the OCSP responder: it answers with a
 * nextUpdate of "now", so the revocation checker keeps nothing and every verification that runs asks it once.
 */
class VerificationCacheTest {
    private static final Authority ROOT = ChainVerifierTest.ROOT;
    private static final Authority ISSUING = ChainVerifierTest.ISSUING;
    private static final String MX = "CN=mx.partner.example,O=Partner";
    private static final Duration TTL = Duration.ofSeconds(300);
    private static final CertificateRequirement DEFAULTS = CertificateRequirement.defaults();

    private final MutableClock clock = new MutableClock(T);
    private RevocationServer server;
    private String good;

    @TempDir
    Path dir;

    @BeforeEach
    void startResponder() {
        server = RevocationServer.start();
        good = "chain to CN=Partner Root CA,O=Partner; not revoked (OCSP " + server.url("/ocsp") + ")";
    }

    @AfterEach
    void stopResponder() {
        server.close();
    }

    @Test
    void aSecondVerificationOfTheSameChainAndRuleIsAHit() {
        X509Certificate leaf = leaf();
        VerificationCache cache = cache(TTL, 100);
        CertificateStatus first = verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        assertStatus(first, Outcome.OK, good);
        assertThat(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS)).isSameAs(first);
        assertThat(cache.verify(List.of(reparsed(leaf)), Level.VERIFY, DEFAULTS)).as("an equal certificate parsed again").isSameAs(first);
        assertThat(server.requests("/ocsp")).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(1);
    }

    static Stream<Arguments> misses() {
        return Stream.of(
            Arguments.of("serverAuth-only accepted", CertificateRequirement.builder().acceptServerAuthOnly(true).build()),
            Arguments.of("another RSA floor", CertificateRequirement.builder().minRsaBits(1024).build()),
            Arguments.of("another EC floor", CertificateRequirement.builder().minEcBits(224).build()),
            Arguments.of("soft-fail", CertificateRequirement.builder().revocation(CertificateRequirement.Revocation.SOFT_FAIL).build()),
            Arguments.of("a pin", ChainVerifierTest.pins(ChainVerifierTest.pin(CertificatePin.Of.CERTIFICATE, certificateSha256(ROOT.certificate)))));
    }

    /** Each of these requirements accepts the chain too, so only the request count tells that it was verified again. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("misses")
    void anotherCertificateRequirementIsAMiss(String name, CertificateRequirement other) {
        X509Certificate leaf = leaf();
        VerificationCache cache = cache(TTL, 100);
        verify(cache, List.of(leaf, ROOT.certificate), Level.VERIFY, DEFAULTS);
        assertStatus(verify(cache, List.of(leaf, ROOT.certificate), Level.VERIFY, other), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
        verify(cache, List.of(leaf, ROOT.certificate), Level.VERIFY, DEFAULTS);
        verify(cache, List.of(leaf, ROOT.certificate), Level.VERIFY, other);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void anotherLevelIsAMiss() {
        X509Certificate leaf = leaf();
        CertificateRequirement pinned = ChainVerifierTest.pins(ChainVerifierTest.pin(CertificatePin.Of.CERTIFICATE, certificateSha256(leaf)));
        VerificationCache cache = cache(TTL, 100);
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, pinned), Outcome.OK, good);
        assertStatus(verify(cache, List.of(leaf), Level.FINGERPRINT, pinned), Outcome.OK, "pinned " + MX);
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, pinned), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void anotherPathIsAMiss() {
        X509Certificate self = TestCertificates.Leaf.selfSigned("CN=self.example", TestCertificates.ecKey("secp256r1")).build();
        VerificationCache cache = cache(TTL, 100);
        assertStatus(cache.verify(List.of(self), Level.VERIFY, DEFAULTS), Outcome.FAIL, "self-signed certificate CN=self.example");
        assertStatus(cache.verify(List.of(self), Level.VERIFY, DEFAULTS, ChainVerifier.Path.VOUCHED_BY_LISTENER), Outcome.OK,
            ChainVerifier.VOUCHED);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void anotherChainIsAMiss() {
        X509Certificate leaf = ISSUING.issue(MX).ocsp(server.url("/ocsp")).build();
        X509Certificate other = leaf();
        VerificationCache cache = cache(TTL, 100);
        answerGoodNow(ISSUING);
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.FAIL, "unknown issuer CN=Partner Issuing CA,O=Partner");
        assertStatus(cache.verify(List.of(leaf, ISSUING.certificate), Level.VERIFY, DEFAULTS), Outcome.TEMP,
            "revocation status unknown: CN=Partner Issuing CA,O=Partner: no OCSP responder in the certificate");
        assertStatus(verify(cache, List.of(other), Level.VERIFY, DEFAULTS), Outcome.OK, good);
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void aTemporaryResultIsKeptThirtySeconds() {
        X509Certificate leaf = leaf();
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).unknown());
        VerificationCache cache = cache(TTL, 100);
        String unknown = "revocation status unknown: " + MX + ": OCSP " + server.url("/ocsp") + " does not know the certificate";
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.TEMP, unknown);
        clock.advance(Duration.ofMillis(29_999));
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.TEMP, unknown);
        assertThat(server.requests("/ocsp")).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
    }

    @Test
    void aDefiniteResultIsKeptForTheConfiguredTime() {
        X509Certificate leaf = leaf();
        VerificationCache cache = cache(TTL, 100);
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        clock.advance(TTL.minusMillis(1));
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        assertThat(server.requests("/ocsp")).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
    }

    @Test
    void aRefusalIsKeptToo() {
        X509Certificate leaf = leaf();
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).updates(T.minusSeconds(60), T).revoked(T.minusSeconds(30), TestRevocations.KEY_COMPROMISE));
        VerificationCache cache = cache(TTL, 100);
        String revoked = "certificate revoked on 2026-03-02T11:59:30Z (keyCompromise) per OCSP " + server.url("/ocsp") + ": " + MX;
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.FAIL, revoked);
        clock.advance(Duration.ofSeconds(299));
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.FAIL, revoked);
        assertThat(server.requests("/ocsp")).isEqualTo(1);
    }

    /** A certificate that expires within the cache time is judged again when it expires, not trusted from the cache. */
    @Test
    void anEntryNeverOutlivesTheCertificate() {
        Instant notAfter = T.plusSeconds(100);
        X509Certificate leaf = ROOT.issue(MX).valid(T.minus(Duration.ofDays(1)), notAfter).ocsp(server.url("/ocsp")).build();
        VerificationCache cache = cache(TTL, 100);
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        clock.advance(Duration.ofMillis(99_999));
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        assertThat(server.requests("/ocsp")).isEqualTo(1);

        clock.set(notAfter);
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
        clock.advance(Duration.ofMillis(1));
        assertStatus(verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.FAIL, "certificate expired on 2026-03-02T12:01:40Z: " + MX);
    }

    /** The same for an intermediate that expires before the leaf. */
    @Test
    void anEntryNeverOutlivesAnIntermediate() {
        Instant notAfter = T.plusSeconds(100);
        Authority shortLived = ChainVerifierTest.ROOT.intermediate("CN=Short CA,O=Partner", TestCertificates.ecKey("secp256r1"),
            l -> l.valid(T.minus(Duration.ofDays(1)), notAfter));
        X509Certificate leaf = shortLived.issue(MX).ocsp(server.url("/ocsp")).build();
        List<X509Certificate> chain = List.of(leaf, shortLived.certificate);
        VerificationCache cache = cache(TTL, 100);
        verify(cache, chain, Level.VERIFY, CertificateRequirement.builder().revocation(CertificateRequirement.Revocation.OFF).build());
        clock.set(notAfter.plusMillis(1));
        assertStatus(verify(cache, chain, Level.VERIFY, CertificateRequirement.builder().revocation(CertificateRequirement.Revocation.OFF).build()),
            Outcome.FAIL, "certificate expired on 2026-03-02T12:01:40Z: CN=Short CA,O=Partner");
    }

    /** The cache never hides a revocation that a replaced CRL file adds. */
    @Test
    void aReplacedCrlFileInvalidatesWhatWasCachedWithTheOldOne() {
        X509Certificate leaf = ROOT.issue(MX).build();
        Path file = Crl.of(ROOT).writeTo(dir.resolve("root.crl"), T.minusSeconds(60));
        VerificationCache cache = new VerificationCache(new ChainVerifier(TrustAnchorStore.of(List.of(ROOT.certificate)),
            RevocationChecker.of(List.of(file), false, false, Duration.ofSeconds(5), clock), clock), 100, TTL, clock);
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.OK, "chain to CN=Partner Root CA,O=Partner; not revoked (CRL root.crl)");
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.OK, "chain to CN=Partner Root CA,O=Partner; not revoked (CRL root.crl)");

        Crl.of(ROOT).revoke(leaf, T, TestRevocations.KEY_COMPROMISE).writeTo(file, T.plusSeconds(1));
        clock.advance(Duration.ofSeconds(10));
        String revoked = "certificate revoked on 2026-03-02T12:00:00Z (keyCompromise) per CRL root.crl: " + MX;
        assertStatus(cache.verify(List.of(leaf), Level.VERIFY, DEFAULTS), Outcome.FAIL, revoked);
    }

    @Test
    void withoutCacheTimeNothingIsReused() {
        X509Certificate leaf = leaf();
        VerificationCache cache = cache(Duration.ZERO, 100);
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        verify(cache, List.of(leaf), Level.VERIFY, DEFAULTS);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
    }

    @Test
    void theCacheHoldsAtMostItsSize() {
        VerificationCache cache = cache(TTL, 1);
        X509Certificate first = leaf();
        X509Certificate second = leaf();
        verify(cache, List.of(first), Level.VERIFY, DEFAULTS);
        verify(cache, List.of(second), Level.VERIFY, DEFAULTS);
        assertThat(cache.size()).isEqualTo(1);
        verify(cache, List.of(first), Level.VERIFY, DEFAULTS);
        assertThat(server.requests("/ocsp")).isEqualTo(3);
    }

    @Test
    void noCertificateIsNotCached() {
        VerificationCache cache = cache(TTL, 100);
        assertStatus(cache.verify(List.of(), Level.VERIFY, DEFAULTS), Outcome.NO, "no certificate presented");
        assertThat(cache.size()).isZero();
        assertThat(cache.verifier().checksRevocation()).isTrue();
    }

    private X509Certificate leaf() {
        return ROOT.issue(MX).ocsp(server.url("/ocsp")).build();
    }

    private VerificationCache cache(Duration ttl, int size) {
        ChainVerifier verifier = new ChainVerifier(TrustAnchorStore.of(List.of(ROOT.certificate)),
            RevocationChecker.of(List.of(), false, true, Duration.ofSeconds(5), clock), clock);
        return new VerificationCache(verifier, size, ttl, clock);
    }

    /** Verifies with the responder answering "good until now", so that the revocation checker keeps nothing. */
    private CertificateStatus verify(VerificationCache cache, List<X509Certificate> chain, Level level, CertificateRequirement requirement) {
        answerGoodNow(ROOT);
        return cache.verify(chain, level, requirement);
    }

    private void answerGoodNow(Authority issuer) {
        server.ocsp("/ocsp", OcspAnswer.good(issuer).updates(clock.instant().minusSeconds(60), clock.instant()));
    }

    private static X509Certificate reparsed(X509Certificate certificate) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
