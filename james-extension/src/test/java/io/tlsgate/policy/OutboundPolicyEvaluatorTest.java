package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.certificate;
import static io.tlsgate.policy.RefusalReason.CERTIFICATE_MISSING;
import static io.tlsgate.policy.RefusalReason.CERTIFICATE_UNCHECKED;
import static io.tlsgate.policy.RefusalReason.CERTIFICATE_UNTRUSTED;
import static io.tlsgate.policy.RefusalReason.CIPHER_PROHIBITED;
import static io.tlsgate.policy.RefusalReason.CIPHER_TOO_WEAK;
import static io.tlsgate.policy.RefusalReason.CIPHER_UNKNOWN;
import static io.tlsgate.policy.RefusalReason.IDENTITY_MISMATCH;
import static io.tlsgate.policy.RefusalReason.PROTOCOL_TOO_OLD;
import static io.tlsgate.policy.RefusalReason.PROTOCOL_UNKNOWN;
import static io.tlsgate.policy.RefusalReason.TLS_MISSING;
import static io.tlsgate.policy.TlsRequirement.AfterRefusal.DISCONNECT;
import static io.tlsgate.policy.TlsRequirement.Failure.PERMANENT;
import static io.tlsgate.policy.TlsRequirement.Failure.TEMPORARY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.IdentityConstraint.Field;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * The evaluator for a delivery attempt (Direction.OUTBOUND), with requirements as the outbound reader builds them
 * (refusals, a missing STARTTLS included, temporary unless the rule says otherwise): Postfix's levels none, may,
 * encrypt, fingerprint, verify and secure; the pki layer has already judged the server certificate and its name.
 */
class OutboundPolicyEvaluatorTest {
    private static final String MX_ADDRESS = "192.0.2.25";
    private static final String NO_STARTTLS = "the server does not offer STARTTLS";
    private static final String AES_128 = "TLS_AES_128_GCM_SHA256";
    private static final String AES_256 = "TLS_AES_256_GCM_SHA384";
    private static final String TRIPLE_DES = "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    private static final String RC4 = "TLS_RSA_WITH_RC4_128_SHA";
    private static final String NULL_SUITE = "TLS_RSA_WITH_NULL_SHA256";

    private static final PeerCertificate MX_CERT = certificate("CN=mx.x.test,O=X", "mx.x.test", "x.test");
    private static final PeerCertificate OTHER_CERT = certificate("CN=other.host.test,O=Other", "other.host.test");
    private static final CertificateStatus VERIFIED = CertificateStatus.ok("chain to CN=Partner Root CA,O=Partner");
    private static final CertificateStatus PINNED = CertificateStatus.ok("pinned CN=mx.x.test,O=X");
    private static final String WRONG_NAME = "certificate names [other.host.test], not the MX host mx.x.test";
    private static final String WRONG_DOMAIN = "certificate names [other.host.test], not the recipient domain x.test";
    private static final String PIN_MISMATCH = "pin mismatch: no certificate of the chain matches a configured pin";
    private static final CertificatePin PIN = CertificatePin.parse(CertificatePin.Of.SPKI,
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    /** Level none and may: a plaintext server is fine, and nothing about a TLS session is checked. */
    static Stream<Arguments> opportunistic() {
        return Stream.of(
            Arguments.of("plaintext", plaintext()),
            Arguments.of("TLS 1.3, no certificate", tls("TLSv1.3", AES_256)),
            Arguments.of("an untrusted certificate", tlsWith(CertificateStatus.failed(WRONG_NAME), OTHER_CERT)),
            Arguments.of("an unchecked certificate", tlsWith(CertificateStatus.temporaryFailure("OCSP responder unreachable"), MX_CERT)),
            Arguments.of("3DES", tls("TLSv1.2", TRIPLE_DES)),
            Arguments.of("RC4", tls("TLSv1", RC4)),
            Arguments.of("a NULL cipher", tls("TLSv1.2", NULL_SUITE)),
            Arguments.of("an unknown protocol and suite", tls("TLSv1.4", "TLS_SM4_GCM_SM3")));
    }

    @ParameterizedTest(name = "none: {0}")
    @MethodSource("opportunistic")
    void levelNoneAcceptsAnything(String name, TlsFacts facts) {
        assertAccepted(PolicyEvaluator.evaluate(outbound(Level.NONE).build(), facts));
    }

    @ParameterizedTest(name = "may: {0}")
    @MethodSource("opportunistic")
    void levelMayAcceptsAnything(String name, TlsFacts facts) {
        assertAccepted(PolicyEvaluator.evaluate(outbound(Level.MAY).build(), facts));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
            // the server offers no STARTTLS: temporary by default, as the reader sets missingTls
            refusal("encrypt: no STARTTLS", outbound(Level.ENCRYPT), plaintext(), TLS_MISSING, "454 4.7.0 " + NO_STARTTLS),
            refusal("fingerprint: no STARTTLS", fingerprint(), plaintext(), TLS_MISSING, "454 4.7.0 " + NO_STARTTLS),
            refusal("verify: no STARTTLS", outbound(Level.VERIFY), plaintext(), TLS_MISSING, "454 4.7.0 " + NO_STARTTLS),
            refusal("secure: no STARTTLS", outbound(Level.SECURE), plaintext(), TLS_MISSING, "454 4.7.0 " + NO_STARTTLS),
            refusal("no STARTTLS, missingTls permanent", outbound(Level.VERIFY).missingTls(PERMANENT), plaintext(), TLS_MISSING,
                "530 5.7.0 " + NO_STARTTLS),
            refusal("no STARTTLS: failure permanent does not make it permanent", outbound(Level.VERIFY).failure(PERMANENT), plaintext(),
                TLS_MISSING, "454 4.7.0 " + NO_STARTTLS),

            // encrypt: the session's strength, whatever the certificate
            refusal("encrypt: 3DES under 128 bits", outbound(Level.ENCRYPT).minCipherBits(128), tls("TLSv1.2", TRIPLE_DES), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 112 bits, 128 required"),
            refusal("encrypt: 3DES under 128 bits, permanent", outbound(Level.ENCRYPT).minCipherBits(128).failure(PERMANENT),
                tls("TLSv1.2", TRIPLE_DES), CIPHER_TOO_WEAK, "554 5.7.0 encryption too weak: 112 bits, 128 required"),
            refusal("encrypt: RC4 whatever the floor", outbound(Level.ENCRYPT), tls("TLSv1.2", RC4), CIPHER_PROHIBITED,
                "454 4.7.0 cipher suite " + RC4 + " uses RC4, prohibited by RFC 7465"),
            refusal("encrypt: a NULL cipher", outbound(Level.ENCRYPT), tls("TLSv1.2", NULL_SUITE), CIPHER_PROHIBITED,
                "454 4.7.0 no encryption: cipher suite " + NULL_SUITE + " does not encrypt"),
            refusal("encrypt: an unknown suite", outbound(Level.ENCRYPT), tls("TLSv1.3", "TLS_SM4_GCM_SM3"), CIPHER_UNKNOWN,
                "454 4.7.0 unknown cipher suite TLS_SM4_GCM_SM3: its strength cannot be assessed"),
            refusal("encrypt: TLSv1.1 under a TLSv1.2 floor", outbound(Level.ENCRYPT).minProtocol(TlsProtocol.TLS_V1_2), tls("TLSv1.1", AES_128),
                PROTOCOL_TOO_OLD, "454 4.7.0 protocol too old: TLSv1.1, TLSv1.2 required"),
            refusal("encrypt: an unknown protocol", outbound(Level.ENCRYPT), tls("TLSv1.4", AES_256), PROTOCOL_UNKNOWN,
                "454 4.7.0 unknown TLS protocol \"TLSv1.4\": its strength cannot be assessed"),

            // verify: a verified certificate naming the MX host (the pki layer's verdict)
            refusal("verify: no certificate", outbound(Level.VERIFY), tls("TLSv1.3", AES_256), CERTIFICATE_MISSING,
                "454 4.7.0 certificate required, none presented"),
            refusal("verify: another name", outbound(Level.VERIFY), tlsWith(CertificateStatus.failed(WRONG_NAME), OTHER_CERT),
                CERTIFICATE_UNTRUSTED, "454 4.7.0 certificate not trusted: " + WRONG_NAME),
            refusal("verify: another name, permanent", outbound(Level.VERIFY).failure(PERMANENT),
                tlsWith(CertificateStatus.failed(WRONG_NAME), OTHER_CERT), CERTIFICATE_UNTRUSTED, "554 5.7.0 certificate not trusted: " + WRONG_NAME),
            refusal("verify: an untrusted root", outbound(Level.VERIFY), tlsWith(CertificateStatus.failed("untrusted root CN=Other Root CA,O=Other"),
                MX_CERT), CERTIFICATE_UNTRUSTED, "454 4.7.0 certificate not trusted: untrusted root CN=Other Root CA,O=Other"),
            refusal("verify: no trust anchors", outbound(Level.VERIFY),
                tlsWith(CertificateStatus.failed("not verified: no trust anchors (configure <verification>)"), MX_CERT), CERTIFICATE_UNTRUSTED,
                "454 4.7.0 certificate not trusted: not verified: no trust anchors (configure <verification>)"),
            refusal("verify: could not be checked, never permanent", outbound(Level.VERIFY).failure(PERMANENT),
                tlsWith(CertificateStatus.temporaryFailure("OCSP responder unreachable"), MX_CERT), CERTIFICATE_UNCHECKED,
                "454 4.7.0 certificate could not be checked: OCSP responder unreachable"),
            refusal("verify: the cipher floor first", outbound(Level.VERIFY).minCipherBits(256), tlsWith("TLSv1.3", AES_128, VERIFIED, MX_CERT),
                CIPHER_TOO_WEAK, "454 4.7.0 encryption too weak: 128 bits, 256 required"),
            refusal("verify: verified, but an identity constraint fails",
                outbound(Level.VERIFY).require(new IdentityConstraint(Field.ISSUER_DN, List.of(IdentityPattern.exact("CN=Other CA,O=Other")))),
                tlsWith(VERIFIED, MX_CERT), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: issuer DN \"CN=Partner CA,O=Partner\" does not match CN=Other CA,O=Other"),

            // secure: the same, the name being the recipient domain's
            refusal("secure: no certificate", outbound(Level.SECURE), tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), CERTIFICATE_MISSING,
                "454 4.7.0 certificate required, none presented"),
            refusal("secure: a name outside the recipient domain", outbound(Level.SECURE), tlsWith(CertificateStatus.failed(WRONG_DOMAIN), OTHER_CERT),
                CERTIFICATE_UNTRUSTED, "454 4.7.0 certificate not trusted: " + WRONG_DOMAIN),
            refusal("secure: permanent", outbound(Level.SECURE).failure(PERMANENT), tlsWith(CertificateStatus.failed(WRONG_DOMAIN), OTHER_CERT),
                CERTIFICATE_UNTRUSTED, "554 5.7.0 certificate not trusted: " + WRONG_DOMAIN),
            refusal("secure: could not be checked", outbound(Level.SECURE), tlsWith(CertificateStatus.temporaryFailure("CRL not yet fetched"), MX_CERT),
                CERTIFICATE_UNCHECKED, "454 4.7.0 certificate could not be checked: CRL not yet fetched"),

            // fingerprint: a pin must match
            refusal("fingerprint: no certificate", fingerprint(), tls("TLSv1.3", AES_256), CERTIFICATE_MISSING,
                "454 4.7.0 certificate required, none presented"),
            refusal("fingerprint: no pin matches", fingerprint(), tlsWith(CertificateStatus.failed(PIN_MISMATCH), MX_CERT), CERTIFICATE_UNTRUSTED,
                "454 4.7.0 certificate not trusted: " + PIN_MISMATCH),
            refusal("fingerprint: no pin matches, permanent", fingerprint().failure(PERMANENT), tlsWith(CertificateStatus.failed(PIN_MISMATCH), MX_CERT),
                CERTIFICATE_UNTRUSTED, "554 5.7.0 certificate not trusted: " + PIN_MISMATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(String name, TlsRequirement requirement, TlsFacts facts, RefusalReason reason, String reply) {
        assertRefused(PolicyEvaluator.evaluate(requirement, facts), reason, reply);
    }

    static Stream<Arguments> acceptances() {
        return Stream.of(
            Arguments.of("encrypt: TLS without a certificate", outbound(Level.ENCRYPT).minCipherBits(128).build(), tls("TLSv1.3", AES_128)),
            Arguments.of("encrypt: an untrusted certificate does not matter", outbound(Level.ENCRYPT).build(),
                tlsWith(CertificateStatus.failed(WRONG_NAME), OTHER_CERT)),
            Arguments.of("encrypt: an unchecked certificate does not matter", outbound(Level.ENCRYPT).build(),
                tlsWith(CertificateStatus.temporaryFailure("OCSP down"), MX_CERT)),
            Arguments.of("verify: verified", outbound(Level.VERIFY).minCipherBits(256).minProtocol(TlsProtocol.TLS_V1_3).build(),
                tlsWith(VERIFIED, MX_CERT)),
            Arguments.of("verify: verified, identity met", outbound(Level.VERIFY)
                .require(new IdentityConstraint(Field.DNS_NAME, List.of(IdentityPattern.glob("*.test")))).build(), tlsWith(VERIFIED, MX_CERT)),
            Arguments.of("secure: verified", outbound(Level.SECURE).build(), tlsWith(VERIFIED, MX_CERT)),
            Arguments.of("fingerprint: pinned", fingerprint().build(), tlsWith(PINNED, MX_CERT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void acceptances(String name, TlsRequirement requirement, TlsFacts facts) {
        assertAccepted(PolicyEvaluator.evaluate(requirement, facts));
    }

    /** Each level that requires TLS refuses a plaintext server with the outbound words, never the inbound "Must issue a STARTTLS". */
    @ParameterizedTest
    @EnumSource(value = Level.class, names = {"ENCRYPT", "FINGERPRINT", "VERIFY", "SECURE"})
    void theRefusalOfAPlaintextServerSpeaksOfTheServer(Level level) {
        TlsRequirement requirement = level == Level.FINGERPRINT ? fingerprint().build() : outbound(level).build();
        Verdict outbound = PolicyEvaluator.evaluate(requirement, plaintext());
        Verdict inbound = PolicyEvaluator.evaluate(requirement, TlsFacts.builder(Direction.INBOUND, MX_ADDRESS).build());
        assertThat(outbound.text()).isEqualTo(NO_STARTTLS);
        assertThat(inbound.text()).isEqualTo("Must issue a STARTTLS command first");
        assertThat(outbound).hasToString("refuse(tls-missing): 454 4.7.0 " + NO_STARTTLS);
    }

    /** A refusal of a plaintext server never asks to close the connection, whatever afterRefusal says (outbound rules cannot set it). */
    @Test
    void aPlaintextRefusalNeverClosesTheConnection() {
        Verdict verdict = PolicyEvaluator.evaluate(outbound(Level.VERIFY).afterRefusal(DISCONNECT).build(), plaintext());
        assertThat(verdict).extracting(Verdict::closesConnection, Verdict::temporary).containsExactly(false, true);
    }

    @Test
    void theVerdictQuotesThePkiReasonVerbatim() {
        Verdict verdict = PolicyEvaluator.evaluate(outbound(Level.VERIFY).failure(PERMANENT).build(),
            tlsWith(CertificateStatus.failed(WRONG_NAME), OTHER_CERT));
        assertThat(verdict).hasToString("refuse(certificate-untrusted): 554 5.7.0 certificate not trusted: " + WRONG_NAME);
    }

    private static void assertAccepted(Verdict verdict) {
        assertThat(verdict).extracting(Verdict::accepted, Verdict::reason, Verdict::temporary, Verdict::replyCode, Verdict::enhancedStatus,
                Verdict::text, Verdict::reply, Verdict::closesConnection, Verdict::toString)
            .containsExactly(true, Optional.empty(), false, "", "", "", "", false, "accept");
    }

    private static void assertRefused(Verdict verdict, RefusalReason reason, String reply) {
        String[] parts = reply.split(" ", 3);
        assertThat(verdict).extracting(Verdict::accepted, Verdict::reason, Verdict::temporary, Verdict::replyCode,
                Verdict::enhancedStatus, Verdict::text, Verdict::reply, Verdict::closesConnection)
            .containsExactly(false, Optional.of(reason), parts[0].startsWith("4"), parts[0], parts[1], parts[2], reply, false);
    }

    /** A rule as OutboundPolicyReader builds it: refusals temporary, a missing STARTTLS included. */
    private static TlsRequirement.Builder outbound(Level level) {
        return TlsRequirement.builder().missingTls(TEMPORARY).level(level);
    }

    private static TlsRequirement.Builder fingerprint() {
        return outbound(Level.FINGERPRINT).certificate(CertificateRequirement.builder().pin(PIN).build());
    }

    private static Arguments refusal(String name, TlsRequirement.Builder requirement, TlsFacts facts, RefusalReason reason, String reply) {
        return Arguments.of(name, requirement.build(), facts, reason, reply);
    }

    private static TlsFacts plaintext() {
        return TlsFacts.builder(Direction.OUTBOUND, MX_ADDRESS).peerName("mx.x.test").build();
    }

    private static TlsFacts tls(String protocol, String suite) {
        return TlsFacts.builder(Direction.OUTBOUND, MX_ADDRESS).peerName("mx.x.test").tls(protocol, suite).build();
    }

    /** A TLSv1.3 AES-256 session in which the server presented this chain, judged with this outcome. */
    private static TlsFacts tlsWith(CertificateStatus status, PeerCertificate... chain) {
        return tlsWith("TLSv1.3", AES_256, status, chain);
    }

    private static TlsFacts tlsWith(String protocol, String suite, CertificateStatus status, PeerCertificate... chain) {
        return TlsFacts.builder(Direction.OUTBOUND, MX_ADDRESS).peerName("mx.x.test").tls(protocol, suite)
            .peerChain(List.of(chain)).certificateStatus(status).build();
    }
}
