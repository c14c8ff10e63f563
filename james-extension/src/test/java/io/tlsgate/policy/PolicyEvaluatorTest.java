package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.certificate;
import static io.tlsgate.policy.Fixtures.plaintext;
import static io.tlsgate.policy.Fixtures.tls;
import static io.tlsgate.policy.Fixtures.tlsWith;
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

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.IdentityConstraint.Field;
import io.tlsgate.policy.TlsRequirement.Level;

class PolicyEvaluatorTest {
    private static final String AES_128 = "TLS_AES_128_GCM_SHA256";
    private static final String AES_256 = "TLS_AES_256_GCM_SHA384";
    private static final String CHACHA20 = "TLS_CHACHA20_POLY1305_SHA256";
    private static final String TRIPLE_DES = "SSL_RSA_WITH_3DES_EDE_CBC_SHA";
    private static final String NOT_STARTED = "Must issue a STARTTLS command first";

    private static final PeerCertificate PARTNER_MX = certificate("CN=mx.partner.example,O=Partner", "mx.partner.example", "partner.example");
    private static final PeerCertificate OTHER_MX = certificate("CN=mx.other.example,O=Other", "mx.other.example");
    private static final PeerCertificate NO_SAN = certificate("CN=mx.partner.example,O=Partner");
    private static final CertificateStatus VERIFIED = CertificateStatus.ok("chains to Partner CA");
    private static final CertificateStatus PINNED = CertificateStatus.ok("pinned CN=mx.partner.example,O=Partner");
    private static final String PIN_MISMATCH = "pin mismatch: no certificate of the chain matches a configured pin";
    private static final CertificatePin PIN = CertificatePin.parse(CertificatePin.Of.SPKI,
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    static Stream<Arguments> refusals() {
        return Stream.of(
            // TLS never started
            refusal("no TLS: permanent by default", encrypt(), plaintext(), TLS_MISSING, "530 5.7.0 " + NOT_STARTED),
            refusal("no TLS: missingTls temporary", encrypt().missingTls(TEMPORARY), plaintext(), TLS_MISSING, "454 4.7.0 " + NOT_STARTED),
            refusal("no TLS: failure does not set missingTls", encrypt().failure(PERMANENT).missingTls(TEMPORARY), plaintext(),
                TLS_MISSING, "454 4.7.0 " + NOT_STARTED),
            refusal("no TLS: failure temporary, missingTls permanent", encrypt().failure(TEMPORARY), plaintext(),
                TLS_MISSING, "530 5.7.0 " + NOT_STARTED),
            refusal("no TLS at level verify", verify(), plaintext(), TLS_MISSING, "530 5.7.0 " + NOT_STARTED),

            // Protocol: unknown fails closed, then the floor
            refusal("protocol NONE", encrypt(), tls("NONE", AES_256), PROTOCOL_UNKNOWN,
                "454 4.7.0 unknown TLS protocol \"NONE\": its strength cannot be assessed"),
            refusal("protocol TLSv1.4, permanent", encrypt().failure(PERMANENT), tls("TLSv1.4", AES_256), PROTOCOL_UNKNOWN,
                "554 5.7.0 unknown TLS protocol \"TLSv1.4\": its strength cannot be assessed"),
            refusal("protocol SSLv2Hello", encrypt(), tls("SSLv2Hello", AES_256), PROTOCOL_UNKNOWN,
                "454 4.7.0 unknown TLS protocol \"SSLv2Hello\": its strength cannot be assessed"),
            refusal("TLSv1.1 under a TLSv1.2 floor", encrypt().minProtocol(TlsProtocol.TLS_V1_2), tls("TLSv1.1", AES_128),
                PROTOCOL_TOO_OLD, "454 4.7.0 protocol too old: TLSv1.1, TLSv1.2 required"),
            refusal("TLSv1.2 under a TLSv1.3 floor, permanent", encrypt().minProtocol(TlsProtocol.TLS_V1_3).failure(PERMANENT),
                tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), PROTOCOL_TOO_OLD, "554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required"),
            refusal("SSLv3 under a TLSv1 floor", encrypt().minProtocol(TlsProtocol.TLS_V1), tls("SSLv3", TRIPLE_DES),
                PROTOCOL_TOO_OLD, "454 4.7.0 protocol too old: SSLv3, TLSv1 required"),
            refusal("protocol is checked before the cipher", encrypt().minProtocol(TlsProtocol.TLS_V1_2).minCipherBits(128),
                tls("TLSv1", TRIPLE_DES), PROTOCOL_TOO_OLD, "454 4.7.0 protocol too old: TLSv1, TLSv1.2 required"),

            // Cipher: unknown fails closed, prohibited whatever the floor, then the floor
            refusal("renegotiation SCSV", encrypt(), tls("TLSv1.2", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"), CIPHER_UNKNOWN,
                "454 4.7.0 unknown cipher suite TLS_EMPTY_RENEGOTIATION_INFO_SCSV: its strength cannot be assessed"),
            refusal("handshake not finished", encrypt(), tls("TLSv1.2", "SSL_NULL_WITH_NULL_NULL"), CIPHER_UNKNOWN,
                "454 4.7.0 unknown cipher suite SSL_NULL_WITH_NULL_NULL: its strength cannot be assessed"),
            refusal("suite of another stack, permanent", encrypt().failure(PERMANENT), tls("TLSv1.3", "TLS_SM4_GCM_SM3"), CIPHER_UNKNOWN,
                "554 5.7.0 unknown cipher suite TLS_SM4_GCM_SM3: its strength cannot be assessed"),
            refusal("NULL cipher without a floor", encrypt(), tls("TLSv1.2", "TLS_RSA_WITH_NULL_SHA256"), CIPHER_PROHIBITED,
                "454 4.7.0 no encryption: cipher suite TLS_RSA_WITH_NULL_SHA256 does not encrypt"),
            refusal("RC4 meets a 128-bit floor but is prohibited", encrypt().minCipherBits(128), tls("TLSv1.2", "SSL_RSA_WITH_RC4_128_SHA"),
                CIPHER_PROHIBITED, "454 4.7.0 cipher suite SSL_RSA_WITH_RC4_128_SHA uses RC4, prohibited by RFC 7465"),
            refusal("RC4 under its TLS_ alias, permanent", encrypt().failure(PERMANENT), tls("TLSv1.2", "TLS_RSA_WITH_RC4_128_SHA"),
                CIPHER_PROHIBITED, "554 5.7.0 cipher suite TLS_RSA_WITH_RC4_128_SHA uses RC4, prohibited by RFC 7465"),
            refusal("export DES40 without a floor", encrypt(), tls("TLSv1", "SSL_RSA_EXPORT_WITH_DES40_CBC_SHA"), CIPHER_PROHIBITED,
                "454 4.7.0 cipher suite SSL_RSA_EXPORT_WITH_DES40_CBC_SHA is export grade (40 bits)"),
            refusal("export RC4_40: RC4 is named first", encrypt(), tls("TLSv1", "SSL_RSA_EXPORT_WITH_RC4_40_MD5"), CIPHER_PROHIBITED,
                "454 4.7.0 cipher suite SSL_RSA_EXPORT_WITH_RC4_40_MD5 uses RC4, prohibited by RFC 7465"),
            refusal("3DES under 128", encrypt().minCipherBits(128), tls("TLSv1.2", TRIPLE_DES), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 112 bits, 128 required"),
            refusal("3DES alias under 128, permanent", encrypt().minCipherBits(128).failure(PERMANENT),
                tls("TLSv1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"), CIPHER_TOO_WEAK, "554 5.7.0 encryption too weak: 112 bits, 128 required"),
            refusal("DES under 112", encrypt().minCipherBits(112), tls("TLSv1", "SSL_DHE_RSA_WITH_DES_CBC_SHA"), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 56 bits, 112 required"),
            refusal("AES-128 under 256", encrypt().minCipherBits(256), tls("TLSv1.3", AES_128), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 128 bits, 256 required"),
            refusal("AES-128 one bit short", encrypt().minCipherBits(129), tls("TLSv1.3", AES_128), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 128 bits, 129 required"),
            refusal("cipher is checked before the certificate", verify().minCipherBits(128), tls("TLSv1.2", TRIPLE_DES),
                CIPHER_TOO_WEAK, "454 4.7.0 encryption too weak: 112 bits, 128 required"),

            // Certificate
            refusal("none presented", verify(), tls("TLSv1.3", AES_256), CERTIFICATE_MISSING,
                "454 4.7.0 certificate required, none presented"),
            refusal("none presented, permanent", verify().failure(PERMANENT), tlsWith(CertificateStatus.noCertificate()),
                CERTIFICATE_MISSING, "554 5.7.0 certificate required, none presented"),
            refusal("not trusted", verify(), tlsWith(CertificateStatus.failed("unknown issuer CN=Evil CA"), PARTNER_MX),
                CERTIFICATE_UNTRUSTED, "454 4.7.0 certificate not trusted: unknown issuer CN=Evil CA"),
            refusal("not trusted, permanent", verify().failure(PERMANENT), tlsWith(CertificateStatus.failed("expired"), PARTNER_MX),
                CERTIFICATE_UNTRUSTED, "554 5.7.0 certificate not trusted: expired"),
            refusal("could not be checked", verify(), tlsWith(CertificateStatus.temporaryFailure("OCSP responder unreachable"), PARTNER_MX),
                CERTIFICATE_UNCHECKED, "454 4.7.0 certificate could not be checked: OCSP responder unreachable"),
            refusal("could not be checked is temporary even when failures are permanent", verify().failure(PERMANENT),
                tlsWith(CertificateStatus.temporaryFailure("CRL not yet fetched"), PARTNER_MX),
                CERTIFICATE_UNCHECKED, "454 4.7.0 certificate could not be checked: CRL not yet fetched"),
            refusal("subject CN mismatch", verify(constraint(Field.SUBJECT_CN, IdentityPattern.exact("mx.partner.example"))),
                tlsWith(VERIFIED, OTHER_MX), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: subject CN mx.other.example does not match mx.partner.example"),
            refusal("issuer DN mismatch, permanent", verify(constraint(Field.ISSUER_DN, IdentityPattern.exact("CN=Other CA,O=Other")))
                    .failure(PERMANENT), tlsWith(VERIFIED, PARTNER_MX), IDENTITY_MISMATCH,
                "554 5.7.0 certificate identity mismatch: issuer DN \"CN=Partner CA,O=Partner\" does not match CN=Other CA,O=Other"),
            refusal("the first failing constraint is reported",
                verify(constraint(Field.SUBJECT_CN, IdentityPattern.exact("mx.partner.example")),
                    constraint(Field.DNS_NAME, IdentityPattern.glob("*.other.example"))),
                tlsWith(VERIFIED, PARTNER_MX), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: subjectAltName DNS name [mx.partner.example, partner.example]"
                    + " does not match glob:*.other.example"),
            refusal("no subjectAltName", verify(constraint(Field.DNS_NAME, IdentityPattern.exact("mx.partner.example"))),
                tlsWith(VERIFIED, NO_SAN), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: certificate has no subjectAltName DNS name, mx.partner.example required"),

            // Level fingerprint: the pki layer compares the pins, the evaluator reads its outcome
            refusal("fingerprint: no TLS", fingerprint(), plaintext(), TLS_MISSING, "530 5.7.0 " + NOT_STARTED),
            refusal("fingerprint: cipher floor", fingerprint().minCipherBits(256), tls("TLSv1.3", AES_128), CIPHER_TOO_WEAK,
                "454 4.7.0 encryption too weak: 128 bits, 256 required"),
            refusal("fingerprint: none presented", fingerprint(), tls("TLSv1.3", AES_256), CERTIFICATE_MISSING,
                "454 4.7.0 certificate required, none presented"),
            refusal("fingerprint: pin mismatch, permanent", fingerprint().failure(PERMANENT),
                tlsWith(CertificateStatus.failed(PIN_MISMATCH), PARTNER_MX), CERTIFICATE_UNTRUSTED,
                "554 5.7.0 certificate not trusted: " + PIN_MISMATCH),
            refusal("fingerprint: pinned, but the identity does not match",
                fingerprint().require(constraint(Field.SUBJECT_CN, IdentityPattern.exact("mx.partner.example"))),
                tlsWith(PINNED, OTHER_MX), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: subject CN mx.other.example does not match mx.partner.example"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(String name, TlsRequirement requirement, TlsFacts facts, RefusalReason reason, String reply) {
        assertRefused(PolicyEvaluator.evaluate(requirement, facts), reason, reply, false);
    }

    static Stream<Arguments> acceptances() {
        return Stream.of(
            acceptance("level none: plaintext", TlsRequirement.none(), plaintext()),
            acceptance("level none: NULL cipher", TlsRequirement.none(), tls("TLSv1.2", "TLS_RSA_WITH_NULL_SHA256")),
            acceptance("level none: unknown protocol and suite", TlsRequirement.none(), tls("NONE", "SSL_NULL_WITH_NULL_NULL")),
            acceptance("encrypt without floors: AES-128", encrypt(), tls("TLSv1.3", AES_128)),
            acceptance("encrypt without floors: old protocol, 3DES", encrypt(), tls("TLSv1", TRIPLE_DES)),
            acceptance("AES-128 meets 128 exactly", encrypt().minCipherBits(128), tls("TLSv1.3", AES_128)),
            acceptance("3DES meets 112 exactly", encrypt().minCipherBits(112), tls("TLSv1.2", TRIPLE_DES)),
            acceptance("AES-256 meets 256", encrypt().minCipherBits(256), tls("TLSv1.3", AES_256)),
            acceptance("ChaCha20 meets 256", encrypt().minCipherBits(256), tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")),
            acceptance("TLSv1.2 meets TLSv1.2", encrypt().minProtocol(TlsProtocol.TLS_V1_2), tls("TLSv1.2", AES_128)),
            acceptance("TLSv1.3 above TLSv1.2", encrypt().minProtocol(TlsProtocol.TLS_V1_2), tls("TLSv1.3", CHACHA20)),
            acceptance("protocol name in another case", encrypt().minProtocol(TlsProtocol.TLS_V1_3), tls("tlsv1.3", AES_128)),
            acceptance("anonymous suite at level encrypt", encrypt().minCipherBits(128), tls("TLSv1.2", "TLS_DH_anon_WITH_AES_128_GCM_SHA256")),
            acceptance("encrypt ignores an untrusted certificate", encrypt(), tlsWith(CertificateStatus.failed("expired"), PARTNER_MX)),
            acceptance("encrypt ignores an unchecked certificate", encrypt(), tlsWith(CertificateStatus.temporaryFailure("OCSP down"), PARTNER_MX)),
            acceptance("verify without identity constraints", verify(), tlsWith(VERIFIED, OTHER_MX)),
            acceptance("verify: CN exact, other case", verify(constraint(Field.SUBJECT_CN, IdentityPattern.exact("MX.Partner.Example"))),
                tlsWith(VERIFIED, PARTNER_MX)),
            acceptance("verify: every constraint met",
                verify(constraint(Field.SUBJECT_DN, IdentityPattern.exact("cn=MX.PARTNER.EXAMPLE, o=partner")),
                    constraint(Field.ISSUER_DN, IdentityPattern.exact(Fixtures.PARTNER_CA)),
                    constraint(Field.DNS_NAME, IdentityPattern.exact("partner.example")))
                    .minCipherBits(256).minProtocol(TlsProtocol.TLS_V1_3),
                tlsWith(VERIFIED, PARTNER_MX)),
            acceptance("verify: only the peer's own certificate is judged",
                verify(constraint(Field.SUBJECT_CN, IdentityPattern.exact("mx.partner.example"))),
                tlsWith(VERIFIED, PARTNER_MX, certificate(Fixtures.PARTNER_CA))),
            acceptance("fingerprint: pinned", fingerprint(), tlsWith(PINNED, OTHER_MX)),
            acceptance("fingerprint: pinned, identity matches",
                fingerprint().require(constraint(Field.DNS_NAME, IdentityPattern.glob("*.partner.example"))).minProtocol(TlsProtocol.TLS_V1_3),
                tlsWith(PINNED, PARTNER_MX)),
            acceptance("encrypt ignores a pin mismatch", encrypt(), tlsWith(CertificateStatus.failed(PIN_MISMATCH), PARTNER_MX)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void acceptances(String name, TlsRequirement requirement, TlsFacts facts) {
        Verdict verdict = PolicyEvaluator.evaluate(requirement, facts);
        assertThat(verdict).extracting(Verdict::accepted, Verdict::reason, Verdict::temporary, Verdict::replyCode,
                Verdict::enhancedStatus, Verdict::text, Verdict::reply, Verdict::closesConnection, Verdict::toString)
            .containsExactly(true, Optional.empty(), false, "", "", "", "", false, "accept");
    }

    static Stream<Arguments> disconnects() {
        return Stream.of(
            refusal("weak cipher, disconnect", encrypt().minCipherBits(128).afterRefusal(DISCONNECT), tls("TLSv1.2", TRIPLE_DES),
                CIPHER_TOO_WEAK, "454 4.7.0 encryption too weak: 112 bits, 128 required"),
            refusal("old protocol, permanent, disconnect", encrypt().minProtocol(TlsProtocol.TLS_V1_3).failure(PERMANENT).afterRefusal(DISCONNECT),
                tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), PROTOCOL_TOO_OLD, "554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required"),
            refusal("unchecked certificate, disconnect", verify().afterRefusal(DISCONNECT),
                tlsWith(CertificateStatus.temporaryFailure("OCSP down"), PARTNER_MX), CERTIFICATE_UNCHECKED,
                "454 4.7.0 certificate could not be checked: OCSP down"),
            refusal("identity mismatch, disconnect", verify(constraint(Field.SUBJECT_CN, IdentityPattern.exact("mx.partner.example")))
                    .afterRefusal(DISCONNECT), tlsWith(VERIFIED, OTHER_MX), IDENTITY_MISMATCH,
                "454 4.7.0 certificate identity mismatch: subject CN mx.other.example does not match mx.partner.example"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void disconnects(String name, TlsRequirement requirement, TlsFacts facts, RefusalReason reason, String reply) {
        assertRefused(PolicyEvaluator.evaluate(requirement, facts), reason, reply, true);
    }

    /** The client may still STARTTLS, so a session without TLS is never cut off, whatever afterRefusal says. */
    @Test
    void missingTlsNeverClosesTheConnection() {
        Verdict verdict = PolicyEvaluator.evaluate(encrypt().afterRefusal(DISCONNECT).missingTls(PERMANENT).build(), plaintext());
        assertRefused(verdict, TLS_MISSING, "530 5.7.0 " + NOT_STARTED, false);
    }

    @Test
    void everyRefusalReasonIsReachable() {
        Set<RefusalReason> reached = Stream.concat(refusals(), disconnects())
            .map(arguments -> (RefusalReason) arguments.get()[3])
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(RefusalReason.class)));
        assertThat(reached).containsExactlyInAnyOrder(RefusalReason.values());
    }

    @Test
    void refusalDescribesItselfForLogs() {
        Verdict verdict = PolicyEvaluator.evaluate(encrypt().minCipherBits(128).afterRefusal(DISCONNECT).build(), tls("TLSv1.2", TRIPLE_DES));
        assertThat(verdict).hasToString("refuse(cipher-too-weak): 454 4.7.0 encryption too weak: 112 bits, 128 required [disconnect]");
    }

    private static void assertRefused(Verdict verdict, RefusalReason reason, String reply, boolean closesConnection) {
        String[] parts = reply.split(" ", 3);
        boolean temporary = parts[0].startsWith("4");
        assertThat(verdict).extracting(Verdict::accepted, Verdict::reason, Verdict::temporary, Verdict::replyCode,
                Verdict::enhancedStatus, Verdict::text, Verdict::reply, Verdict::closesConnection)
            .containsExactly(false, Optional.of(reason), temporary, parts[0], parts[1], parts[2], reply, closesConnection);
    }

    private static Arguments refusal(String name, TlsRequirement.Builder requirement, TlsFacts facts, RefusalReason reason, String reply) {
        return Arguments.of(name, requirement.build(), facts, reason, reply);
    }

    private static Arguments acceptance(String name, TlsRequirement.Builder requirement, TlsFacts facts) {
        return Arguments.of(name, requirement.build(), facts);
    }

    private static Arguments acceptance(String name, TlsRequirement requirement, TlsFacts facts) {
        return Arguments.of(name, requirement, facts);
    }

    private static TlsRequirement.Builder encrypt() {
        return TlsRequirement.builder().level(Level.ENCRYPT);
    }

    private static TlsRequirement.Builder fingerprint() {
        return TlsRequirement.builder().level(Level.FINGERPRINT).certificate(CertificateRequirement.builder().pin(PIN).build());
    }

    private static TlsRequirement.Builder verify(IdentityConstraint... constraints) {
        TlsRequirement.Builder builder = TlsRequirement.builder().level(Level.VERIFY);
        List.of(constraints).forEach(builder::require);
        return builder;
    }

    private static IdentityConstraint constraint(Field field, IdentityPattern... accepted) {
        return new IdentityConstraint(field, List.of(accepted));
    }
}
