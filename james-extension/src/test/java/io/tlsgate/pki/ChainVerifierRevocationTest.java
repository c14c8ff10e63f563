package io.tlsgate.pki;

import static io.tlsgate.pki.ChainVerifierTest.assertStatus;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.ecKey;
import static io.tlsgate.pki.TestRevocations.KEY_COMPROMISE;
import static io.tlsgate.pki.TestRevocations.SUPERSEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x509.KeyPurposeId;
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
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateRequirement.Revocation;
import io.tlsgate.policy.CertificateStatus.Outcome;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * Revocation through the verifier: CRL files, CRL distribution points and OCSP responders served over HTTP on
 * loopback, each answer good, revoked or unusable, and what an unknown status means under each rule.
 */
class ChainVerifierRevocationTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** RSA: CRLs and OCSP responses signed with RSA; the impostor and a rogue responder use EC keys. */
    private static final Authority ROOT = ChainVerifierTest.ROOT;
    private static final Authority ISSUING = ChainVerifierTest.ISSUING;
    /** An EC root, for responses signed with another EC key than the issuer's. */
    private static final Authority EC_ROOT = Authority.root("CN=Partner EC Root CA,O=Partner", ecKey("secp256r1"));
    private static final Authority OTHER = ChainVerifierTest.OTHER_ROOT;

    private static final String MX = "CN=mx.partner.example,O=Partner";
    private static final String CHAIN_TO_ROOT = "chain to CN=Partner Root CA,O=Partner";
    private static final String CHAIN_TO_EC_ROOT = "chain to CN=Partner EC Root CA,O=Partner";
    private static final CertificateRequirement REQUIRED = CertificateRequirement.defaults();
    private static final CertificateRequirement SOFT_FAIL = CertificateRequirement.builder().revocation(Revocation.SOFT_FAIL).build();
    private static final CertificateRequirement OFF = CertificateRequirement.builder().revocation(Revocation.OFF).build();

    private RevocationServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() {
        server = RevocationServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    // ---- CRL files ----

    static Stream<Arguments> crlFiles() {
        X509Certificate leaf = ROOT.issue(MX).build();
        X509Certificate other = ROOT.issue("CN=other.partner.example,O=Partner").build();
        Instant revokedAt = T.minus(Duration.ofDays(1));
        return Stream.of(
            crlRow("not on the CRL", List.of(leaf), Crl.of(ROOT).revoke(other, revokedAt, KEY_COMPROMISE), REQUIRED, Outcome.OK,
                CHAIN_TO_ROOT + "; not revoked (CRL root.crl)"),
            crlRow("a CRL without nextUpdate", List.of(leaf), Crl.of(ROOT).updates(T.minusSeconds(60), null), REQUIRED, Outcome.OK,
                CHAIN_TO_ROOT + "; not revoked (CRL root.crl)"),
            crlRow("revoked for key compromise", List.of(leaf), Crl.of(ROOT).revoke(leaf, revokedAt, KEY_COMPROMISE), REQUIRED, Outcome.FAIL,
                "certificate revoked on 2026-03-01T12:00:00Z (keyCompromise) per CRL root.crl: " + MX),
            crlRow("revoked without a reason", List.of(leaf), Crl.of(ROOT).revoke(leaf, revokedAt, -1), REQUIRED, Outcome.FAIL,
                "certificate revoked on 2026-03-01T12:00:00Z per CRL root.crl: " + MX),
            crlRow("revoked, under soft-fail", List.of(leaf), Crl.of(ROOT).revoke(leaf, revokedAt, SUPERSEDED), SOFT_FAIL, Outcome.FAIL,
                "certificate revoked on 2026-03-01T12:00:00Z (superseded) per CRL root.crl: " + MX),
            crlRow("revoked, but the rule turns revocation off", List.of(leaf), Crl.of(ROOT).revoke(leaf, revokedAt, KEY_COMPROMISE), OFF,
                Outcome.OK, CHAIN_TO_ROOT + "; revocation not checked by this rule"),
            crlRow("a stale CRL", List.of(leaf), Crl.of(ROOT).updates(T.minus(Duration.ofDays(8)), T.minusSeconds(1)), REQUIRED, Outcome.TEMP,
                "revocation status unknown: " + MX + ": CRL root.crl is stale (next update was 2026-03-02T11:59:59Z)"),
            crlRow("a stale CRL, under soft-fail", List.of(leaf), Crl.of(ROOT).updates(T.minus(Duration.ofDays(8)), T.minusSeconds(1)), SOFT_FAIL,
                Outcome.OK, CHAIN_TO_ROOT + "; revocation status unknown, accepted by soft-fail (" + MX
                    + ": CRL root.crl is stale (next update was 2026-03-02T11:59:59Z))"),
            crlRow("a stale CRL that lists the certificate", List.of(leaf),
                Crl.of(ROOT).updates(T.minus(Duration.ofDays(8)), T.minusSeconds(1)).revoke(leaf, revokedAt, KEY_COMPROMISE), SOFT_FAIL,
                Outcome.OK, CHAIN_TO_ROOT + "; revocation status unknown, accepted by soft-fail (" + MX
                    + ": CRL root.crl is stale (next update was 2026-03-02T11:59:59Z))"),
            crlRow("a CRL in the issuer's name, signed by another key", List.of(leaf),
                Crl.forged(ROOT, ecKey("secp256r1")).revoke(other, revokedAt, KEY_COMPROMISE), REQUIRED, Outcome.TEMP,
                "revocation status unknown: " + MX + ": CRL root.crl is not signed by CN=Partner Root CA,O=Partner"),
            crlRow("a forged CRL that revokes the certificate", List.of(leaf),
                Crl.forged(ROOT, ecKey("secp256r1")).revoke(leaf, revokedAt, KEY_COMPROMISE), REQUIRED, Outcome.TEMP,
                "revocation status unknown: " + MX + ": CRL root.crl is not signed by CN=Partner Root CA,O=Partner"),
            crlRow("only another CA's CRL", List.of(leaf), Crl.of(OTHER), REQUIRED, Outcome.TEMP,
                "revocation status unknown: " + MX + ": no CRL or OCSP responder covers the certificate"),
            crlRow("a leaf of the intermediate: the CRL covers only the intermediate", List.of(ISSUING.issue(MX).build(), ISSUING.certificate),
                Crl.of(ROOT), REQUIRED, Outcome.TEMP,
                "revocation status unknown: " + MX + ": no CRL or OCSP responder covers the certificate"),
            crlRow("a revoked intermediate", List.of(ISSUING.issue(MX).build(), ISSUING.certificate),
                Crl.of(ROOT).revoke(ISSUING.certificate, revokedAt, 2), REQUIRED, Outcome.FAIL,
                "certificate revoked on 2026-03-01T12:00:00Z (cACompromise) per CRL root.crl: CN=Partner Issuing CA,O=Partner"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void crlFiles(String name, List<X509Certificate> chain, Crl crl, CertificateRequirement requirement, Outcome outcome, String detail) {
        Path file = crl.writeTo(dir.resolve("root.crl"), T);
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(file), false, false, TIMEOUT, CLOCK), ROOT);
        assertThat(verifier.checksRevocation()).isTrue();
        assertStatus(verifier.verify(chain, Level.VERIFY, requirement), outcome, detail);
    }

    @Test
    void everyCertificateOfThePathNeedsAStatus() {
        X509Certificate leaf = ISSUING.issue(MX).build();
        Path root = Crl.of(ROOT).writeTo(dir.resolve("root.crl"), T);
        Path issuing = Crl.of(ISSUING).writeTo(dir.resolve("issuing.crl"), T);
        ChainVerifier both = verifier(RevocationChecker.of(List.of(issuing, root), false, false, TIMEOUT, CLOCK), ROOT);
        ChainVerifier leafOnly = verifier(RevocationChecker.of(List.of(issuing), false, false, TIMEOUT, CLOCK), ROOT);
        assertStatus(both.verify(List.of(leaf, ISSUING.certificate), Level.VERIFY, REQUIRED), Outcome.OK,
            CHAIN_TO_ROOT + "; not revoked (CRL root.crl)");
        assertStatus(leafOnly.verify(List.of(leaf, ISSUING.certificate), Level.VERIFY, REQUIRED), Outcome.TEMP,
            "revocation status unknown: CN=Partner Issuing CA,O=Partner: no CRL or OCSP responder covers the certificate");
    }

    /** The administrator replaces the file: the next check reads the new list; a broken new file keeps the last good one. */
    @Test
    void aCrlFileIsReadAgainWhenItChanges() throws IOException {
        X509Certificate leaf = ROOT.issue(MX).build();
        Path file = Crl.of(ROOT).writeTo(dir.resolve("root.crl"), T.minusSeconds(600));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(file), false, false, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (CRL root.crl)");

        Crl.of(ROOT).revoke(leaf, T.minusSeconds(60), KEY_COMPROMISE).writeTo(file, T.minusSeconds(300));
        String revoked = "certificate revoked on 2026-03-02T11:59:00Z (keyCompromise) per CRL root.crl: " + MX;
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.FAIL, revoked);

        Files.writeString(file, "half-written");
        Files.setLastModifiedTime(file, FileTime.from(T));
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.FAIL, revoked);
    }

    @Test
    void aCrlFileThatCannotBeReadIsRefusedAtOnce() throws Exception {
        Path missing = dir.resolve("missing.crl");
        Path certificate = Files.write(dir.resolve("root.crl"), ROOT.certificate.getEncoded().clone());
        Path empty = Files.write(dir.resolve("empty.crl"), new byte[0]);
        assertThatThrownBy(() -> RevocationChecker.of(List.of(missing), false, false, TIMEOUT, CLOCK))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(missing + ": not a readable CRL (" + missing + ")");
        assertThatThrownBy(() -> RevocationChecker.of(List.of(empty), false, false, TIMEOUT, CLOCK))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(empty + ": not a readable CRL (Empty input)");
        assertThatThrownBy(() -> RevocationChecker.of(List.of(certificate), false, false, TIMEOUT, CLOCK))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(certificate + ": not a readable CRL (");
    }

    // ---- CRL distribution points ----

    @Test
    void aDistributionPointIsFetchedOnceUntilTheCrlsNextUpdate() {
        MutableClock clock = new MutableClock(T);
        X509Certificate first = ROOT.issue(MX).crl(server.url("/root.crl")).build();
        X509Certificate second = ROOT.issue("CN=second.partner.example,O=Partner").crl(server.url("/root.crl")).build();
        server.crl("/root.crl", Crl.of(ROOT).updates(T.minusSeconds(60), T.plusSeconds(3600)).revoke(second, T.minusSeconds(30), KEY_COMPROMISE).build());
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), true, false, TIMEOUT, clock), ROOT, clock);

        assertStatus(verifier.verify(List.of(first), Level.VERIFY, REQUIRED), Outcome.OK,
            CHAIN_TO_ROOT + "; not revoked (CRL " + server.url("/root.crl") + ")");
        assertStatus(verifier.verify(List.of(second), Level.VERIFY, REQUIRED), Outcome.FAIL,
            "certificate revoked on 2026-03-02T11:59:30Z (keyCompromise) per CRL " + server.url("/root.crl") + ": CN=second.partner.example,O=Partner");
        assertThat(server.requests("/root.crl")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(3601));
        server.crl("/root.crl", Crl.of(ROOT).updates(T.plusSeconds(3600), T.plusSeconds(7200)).revoke(first, T.plusSeconds(3000), SUPERSEDED).build());
        assertStatus(verifier.verify(List.of(first), Level.VERIFY, REQUIRED), Outcome.FAIL,
            "certificate revoked on 2026-03-02T12:50:00Z (superseded) per CRL " + server.url("/root.crl") + ": " + MX);
        assertThat(server.requests("/root.crl")).isEqualTo(2);
    }

    static Stream<Arguments> distributionPoints() {
        return Stream.of(
            dpRow("no such CRL on the server", s -> s.url("/missing.crl"), Outcome.TEMP,
                s -> "revocation status unknown: " + MX + ": CRL " + s.url("/missing.crl") + " unreachable: HTTP 404 from " + s.url("/missing.crl")),
            dpRow("an LDAP distribution point", s -> "ldap://ldap.partner.example/cn=Partner%20Root%20CA?certificateRevocationList", Outcome.TEMP,
                s -> "revocation status unknown: " + MX + ": CRL ldap://ldap.partner.example/cn=Partner%20Root%20CA?certificateRevocationList"
                    + " unreachable: not an http URL: ldap://ldap.partner.example/cn=Partner%20Root%20CA?certificateRevocationList"),
            dpRow("a server that is down", s -> "http://127.0.0.1:" + RevocationServer.closedPort() + "/root.crl", Outcome.TEMP,
                s -> null),
            dpRow("a CRL of another CA", s -> s.url("/other.crl"), Outcome.TEMP,
                s -> "revocation status unknown: " + MX + ": CRL " + s.url("/other.crl") + " is not signed by CN=Partner Root CA,O=Partner"),
            dpRow("the second point answers", s -> s.url("/missing.crl") + " " + s.url("/root.crl"), Outcome.OK,
                s -> CHAIN_TO_ROOT + "; not revoked (CRL " + s.url("/root.crl") + ")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void distributionPoints(String name, Function<RevocationServer, String> points, Outcome outcome, Function<RevocationServer, String> detail) {
        server.crl("/root.crl", Crl.of(ROOT).build());
        server.crl("/other.crl", Crl.of(OTHER).build());
        TestCertificates.Leaf leaf = ROOT.issue(MX);
        for (String point : points.apply(server).split(" ")) {
            leaf.crl(point);
        }
        X509Certificate certificate = leaf.build();
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), true, false, TIMEOUT, CLOCK), ROOT);
        String expected = detail.apply(server);
        if (expected == null) {
            String point = CertificateExtensions.crlDistributionPoints(certificate).get(0).toString();
            expected = "revocation status unknown: " + MX + ": CRL " + point + " unreachable: Connection refused";
        }
        assertStatus(verifier.verify(List.of(certificate), Level.VERIFY, REQUIRED), outcome, expected);
    }

    @Test
    void aCrlFileAnswersBeforeTheDistributionPoint() {
        X509Certificate leaf = ROOT.issue(MX).crl(server.url("/root.crl")).build();
        server.crl("/root.crl", Crl.of(ROOT).build());
        Path file = Crl.of(ROOT).writeTo(dir.resolve("root.crl"), T);
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(file), true, false, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (CRL root.crl)");
        assertThat(server.requests("/root.crl")).isZero();
    }

    @Test
    void aCertificateWithoutDistributionPointIsNotCovered() {
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), true, false, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(ROOT.issue(MX).build()), Level.VERIFY, REQUIRED), Outcome.TEMP,
            "revocation status unknown: " + MX + ": no CRL or OCSP responder covers the certificate");
    }

    // ---- OCSP ----

    static Stream<Arguments> ocsp() {
        Instant revokedAt = T.minus(Duration.ofDays(2));
        return Stream.of(
            ocspRow("good", ROOT, a -> a, Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP {url})"),
            ocspRow("good, without nextUpdate", ROOT, a -> a.updates(T.minusSeconds(60), null), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP {url})"),
            ocspRow("good, dated within the clock skew", ROOT, a -> a.updates(T.plusSeconds(299), T.plusSeconds(3600)), Outcome.OK,
                CHAIN_TO_ROOT + "; not revoked (OCSP {url})"),
            ocspRow("revoked for key compromise", ROOT, a -> a.revoked(revokedAt, KEY_COMPROMISE), Outcome.FAIL,
                "certificate revoked on 2026-02-28T12:00:00Z (keyCompromise) per OCSP {url}: " + MX),
            ocspRow("revoked without a reason, under soft-fail", ROOT, a -> a.revoked(revokedAt, -1), Outcome.FAIL,
                "certificate revoked on 2026-02-28T12:00:00Z per OCSP {url}: " + MX),
            ocspRow("unknown to the responder", ROOT, OcspAnswer::unknown, Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} does not know the certificate"),
            ocspRow("malformedRequest", ROOT, a -> a.status(1), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} answered with status 1"),
            ocspRow("internalError", ROOT, a -> a.status(2), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} answered with status 2"),
            ocspRow("tryLater", ROOT, a -> a.status(3), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} answered with status 3"),
            ocspRow("unauthorized", ROOT, a -> a.status(6), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} answered with status 6"),
            ocspRow("stale", ROOT, a -> a.updates(T.minus(Duration.ofDays(2)), T.minusSeconds(1)), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a stale response (next update was 2026-03-02T11:59:59Z)"),
            ocspRow("dated in the future", ROOT, a -> a.updates(T.plusSeconds(301), T.plus(Duration.ofDays(1))), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response dated in the future (2026-03-02T12:05:01Z)"),
            ocspRow("an answer about another certificate", ROOT, a -> a.aboutSerial(999_999), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent no answer about this certificate"),
            // who signed the response
            ocspRow("signed by another EC key than the EC issuer's", EC_ROOT, a -> a.signedBy(ecKey("secp256r1")), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"),
            ocspRow("signed by an EC key, the issuer's is RSA", ROOT, a -> a.signedBy(ecKey("secp256r1")), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"),
            ocspRow("a delegated responder (id-kp-OCSPSigning)", EC_ROOT, a -> delegate(a, EC_ROOT, KeyPurposeId.id_kp_OCSPSigning), Outcome.OK,
                CHAIN_TO_EC_ROOT + "; not revoked (OCSP {url})"),
            ocspRow("a delegated responder with an EC key, the issuer's is RSA", ROOT, a -> delegate(a, ROOT, KeyPurposeId.id_kp_OCSPSigning),
                Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP {url})"),
            ocspRow("a responder the issuer did not delegate to (no OCSPSigning)", EC_ROOT,
                a -> delegate(a, EC_ROOT, KeyPurposeId.id_kp_clientAuth), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"),
            ocspRow("an OCSPSigning responder of another CA", EC_ROOT, a -> delegate(a, OTHER, KeyPurposeId.id_kp_OCSPSigning), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"),
            ocspRow("a delegated responder whose certificate has expired", EC_ROOT,
                a -> delegate(a, EC_ROOT, KeyPurposeId.id_kp_OCSPSigning, T.minus(30, java.time.temporal.ChronoUnit.DAYS),
                    T.minus(1, java.time.temporal.ChronoUnit.DAYS)), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"),
            ocspRow("a delegated responder that does not send its certificate", EC_ROOT,
                a -> a.signedBy(ecKey("secp256r1")), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP {url} sent a response that neither the issuer nor a delegated responder signed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void ocsp(String name, Authority issuer, Function<OcspAnswer, OcspAnswer> answer, Outcome outcome, String detail) {
        X509Certificate leaf = issuer.issue(MX).ocsp(server.url("/ocsp")).build();
        server.ocsp("/ocsp", answer.apply(OcspAnswer.good(issuer)));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), issuer);
        CertificateRequirement requirement = name.contains("soft-fail") ? SOFT_FAIL : REQUIRED;
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, requirement), outcome, detail.replace("{url}", server.url("/ocsp")));
        assertThat(server.requests("/ocsp")).isEqualTo(1);
    }

    /** A responder that answers with something else than OCSP or a CRL was reached: it is unusable, not unreachable. */
    @Test
    void anUnusableAnswerIsUnknown() {
        X509Certificate leaf = ROOT.issue(MX).crl(server.url("/root.crl")).ocsp(server.url("/ocsp")).build();
        server.raw("/ocsp", request -> "<html>Service Unavailable</html>".getBytes());
        server.raw("/root.crl", request -> "<html>Service Unavailable</html>".getBytes());
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), true, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.TEMP, "revocation status unknown: " + MX
            + ": CRL " + server.url("/root.crl") + " is not a usable CRL: Empty input"
            + "; OCSP " + server.url("/ocsp") + " sent an unusable response: unknown tag 28 encountered");
    }

    static Stream<Arguments> unreachable() {
        return Stream.of(
            Arguments.of("required", REQUIRED, Outcome.TEMP, "revocation status unknown: " + MX + ": OCSP {url} unreachable: Connection refused"),
            Arguments.of("soft-fail", SOFT_FAIL, Outcome.OK, CHAIN_TO_ROOT + "; revocation status unknown, accepted by soft-fail (" + MX
                + ": OCSP {url} unreachable: Connection refused)"),
            Arguments.of("off", OFF, Outcome.OK, CHAIN_TO_ROOT + "; revocation not checked by this rule"));
    }

    @ParameterizedTest(name = "responder down, revocation {0}")
    @MethodSource
    void unreachable(String name, CertificateRequirement requirement, Outcome outcome, String detail) {
        String url = "http://127.0.0.1:" + RevocationServer.closedPort() + "/ocsp";
        X509Certificate leaf = ROOT.issue(MX).ocsp(url).build();
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, requirement), outcome, detail.replace("{url}", url));
    }

    /** A responder that accepts the connection and never answers: the fetch gives up after the configured time box. */
    @Test
    void aSilentResponderIsUnknownWithinTheTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/ocsp";
            X509Certificate leaf = ROOT.issue(MX).ocsp(url).build();
            ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, Duration.ofMillis(100), CLOCK), ROOT);
            assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.TEMP,
                "revocation status unknown: " + MX + ": OCSP " + url + " unreachable: Read timed out");
        }
    }

    @Test
    void otherOcspLocationsThatGiveNoAnswer() {
        X509Certificate none = ROOT.issue(MX).build();
        X509Certificate https = ROOT.issue(MX).ocsp("https://ocsp.partner.example/").build();
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(none), Level.VERIFY, REQUIRED), Outcome.TEMP,
            "revocation status unknown: " + MX + ": no OCSP responder in the certificate");
        assertStatus(verifier.verify(List.of(https), Level.VERIFY, REQUIRED), Outcome.TEMP,
            "revocation status unknown: " + MX + ": OCSP https://ocsp.partner.example/ unreachable: not an http URL: https://ocsp.partner.example/");
    }

    @Test
    void theNextResponderIsAskedWhenOneGivesNoAnswer() {
        X509Certificate leaf = ROOT.issue(MX).ocsp(server.url("/down")).ocsp(server.url("/ocsp")).build();
        server.ocsp("/ocsp", OcspAnswer.good(ROOT));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP " + server.url("/ocsp") + ")");
        assertThat(server.requests("/down")).isEqualTo(1);
    }

    @Test
    void everySourceSaysWhyItGaveNoAnswer() {
        X509Certificate leaf = ROOT.issue(MX).crl(server.url("/root.crl")).ocsp(server.url("/ocsp")).build();
        Path file = Crl.of(ROOT).updates(T.minus(Duration.ofDays(8)), T.minusSeconds(1)).writeTo(dir.resolve("root.crl"), T);
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).status(3));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(file), true, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.TEMP, "revocation status unknown: " + MX
            + ": CRL root.crl is stale (next update was 2026-03-02T11:59:59Z); CRL " + server.url("/root.crl") + " unreachable: HTTP 404 from "
            + server.url("/root.crl") + "; OCSP " + server.url("/ocsp") + " answered with status 3");
    }

    @Test
    void ocspAnswersWhenTheCrlFileCannot() {
        X509Certificate leaf = ROOT.issue(MX).ocsp(server.url("/ocsp")).build();
        Path file = Crl.of(ROOT).updates(T.minus(Duration.ofDays(8)), T.minusSeconds(1)).writeTo(dir.resolve("root.crl"), T);
        server.ocsp("/ocsp", OcspAnswer.good(ROOT));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(file), false, true, TIMEOUT, CLOCK), ROOT);
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP " + server.url("/ocsp") + ")");
    }

    /** Definite answers are reused until their nextUpdate; an unknown status is asked again at once. */
    @Test
    void ocspAnswersAreCachedUntilNextUpdate() {
        MutableClock clock = new MutableClock(T);
        X509Certificate leaf = ROOT.issue(MX).ocsp(server.url("/ocsp")).build();
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).updates(T.minusSeconds(60), T.plusSeconds(600)));
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, clock), ROOT, clock);
        String good = CHAIN_TO_ROOT + "; not revoked (OCSP " + server.url("/ocsp") + ")";

        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, good);
        clock.advance(Duration.ofSeconds(599));
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, good);
        assertThat(server.requests("/ocsp")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).updates(T.plusSeconds(600), T.plusSeconds(1200)).revoked(T.plusSeconds(590), KEY_COMPROMISE));
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.FAIL,
            "certificate revoked on 2026-03-02T12:09:50Z (keyCompromise) per OCSP " + server.url("/ocsp") + ": " + MX);
        clock.advance(Duration.ofSeconds(60));
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.FAIL,
            "certificate revoked on 2026-03-02T12:09:50Z (keyCompromise) per OCSP " + server.url("/ocsp") + ": " + MX);
        assertThat(server.requests("/ocsp")).isEqualTo(2);
    }

    @Test
    void anUnknownStatusIsNotCached() {
        X509Certificate leaf = ROOT.issue(MX).ocsp(server.url("/ocsp")).build();
        server.ocsp("/ocsp", OcspAnswer.good(ROOT).unknown());
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), ROOT);
        verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED);
        server.ocsp("/ocsp", OcspAnswer.good(ROOT));
        assertStatus(verifier.verify(List.of(leaf), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT + "; not revoked (OCSP " + server.url("/ocsp") + ")");
        assertThat(server.requests("/ocsp")).isEqualTo(2);
    }

    @Test
    void fingerprintLevelAsksNoResponder() {
        X509Certificate leaf = ROOT.issue(MX).ocsp(server.url("/ocsp")).build();
        ChainVerifier verifier = verifier(RevocationChecker.of(List.of(), false, true, TIMEOUT, CLOCK), ROOT);
        CertificateRequirement pinned = ChainVerifierTest.pins(ChainVerifierTest.pin(io.tlsgate.policy.CertificatePin.Of.CERTIFICATE,
            TestCertificates.certificateSha256(leaf)));
        assertStatus(verifier.verify(List.of(leaf), Level.FINGERPRINT, pinned), Outcome.OK, "pinned " + MX);
        assertThat(server.requests("/ocsp")).isZero();
    }

    @Test
    void withoutRevocationSourcesNothingIsChecked() {
        RevocationChecker nothing = RevocationChecker.of(List.of(), false, false, TIMEOUT, CLOCK);
        assertThat(nothing.enabled()).isFalse();
        assertThat(RevocationChecker.disabled().enabled()).isFalse();
        assertThat(RevocationChecker.disabled().check(ROOT.certificate, ROOT.certificate))
            .extracting(RevocationStatus::state, RevocationStatus::detail, RevocationStatus::toString)
            .containsExactly(RevocationStatus.State.UNKNOWN, "revocation checking is not configured", "unknown: revocation checking is not configured");
        assertStatus(verifier(nothing, ROOT).verify(List.of(ROOT.issue(MX).build()), Level.VERIFY, REQUIRED), Outcome.OK, CHAIN_TO_ROOT);
    }

    private static ChainVerifier verifier(RevocationChecker revocation, Authority anchor) {
        return verifier(revocation, anchor, CLOCK);
    }

    /** The verifier runs on the same clock as its revocation checker. */
    private static ChainVerifier verifier(RevocationChecker revocation, Authority anchor, Clock clock) {
        return new ChainVerifier(TrustAnchorStore.of(List.of(anchor.certificate)), revocation, clock);
    }

    /** A responder certificate the authority issues with this purpose; the response is signed by it and carries it. */
    private static OcspAnswer delegate(OcspAnswer answer, Authority issuer, KeyPurposeId purpose) {
        java.security.KeyPair key = ecKey("secp256r1");
        X509Certificate responder = issuer.issue("CN=OCSP Responder,O=Partner", key).purposes(purpose).build();
        return answer.signedBy(key, responder);
    }

    /** As above, with the responder certificate valid only between {@code from} and {@code to}. */
    private static OcspAnswer delegate(OcspAnswer answer, Authority issuer, KeyPurposeId purpose, java.time.Instant from, java.time.Instant to) {
        java.security.KeyPair key = ecKey("secp256r1");
        X509Certificate responder = issuer.issue("CN=OCSP Responder,O=Partner", key).purposes(purpose).valid(from, to).build();
        return answer.signedBy(key, responder);
    }

    private static Arguments crlRow(String name, List<X509Certificate> chain, Crl crl, CertificateRequirement requirement, Outcome outcome,
                                    String detail) {
        return Arguments.of(name, chain, crl, requirement, outcome, detail);
    }

    private static Arguments dpRow(String name, Function<RevocationServer, String> points, Outcome outcome, Function<RevocationServer, String> detail) {
        return Arguments.of(name, points, outcome, detail);
    }

    private static Arguments ocspRow(String name, Authority issuer, Function<OcspAnswer, OcspAnswer> answer, Outcome outcome, String detail) {
        return Arguments.of(name, issuer, answer, outcome, detail);
    }
}
