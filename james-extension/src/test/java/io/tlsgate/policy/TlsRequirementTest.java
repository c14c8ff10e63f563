package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.policy.IdentityConstraint.Field;
import io.tlsgate.policy.TlsRequirement.AfterRefusal;
import io.tlsgate.policy.TlsRequirement.Failure;
import io.tlsgate.policy.TlsRequirement.Level;

class TlsRequirementTest {
    private static final IdentityConstraint PARTNER_CN = new IdentityConstraint(Field.SUBJECT_CN, List.of(IdentityPattern.exact("mx.partner.example")));
    private static final String NO_LEVEL = "the rule sets no level and nothing that implies one (say <level>none</level> to exempt a peer)";
    private static final String NEEDS_VERIFY = "the certificate identity constraints, which need level fingerprint or verify (outbound also secure)";
    private static final String NEEDS_TLS = "the cipher or protocol floor, which needs TLS (level encrypt, fingerprint or verify; outbound also secure)";
    private static final String NEEDS_CERTIFICATE_LEVEL = "the certificate checks (pins, key usage, key sizes, revocation),"
        + " which need level fingerprint or verify (outbound also secure)";
    private static final String NEEDS_PIN = "level fingerprint needs at least one <pin> to compare the certificate with";
    private static final String DIGEST = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final CertificateRequirement PINNED = CertificateRequirement.builder()
        .pin(CertificatePin.parse(CertificatePin.Of.SPKI, DIGEST)).build();
    private static final CertificateRequirement SERVER_AUTH_OK = CertificateRequirement.builder().acceptServerAuthOnly(true).build();

    static Stream<Arguments> levels() {
        return Stream.of(
            row("minCipherBits implies encrypt", b -> b.minCipherBits(128), Level.ENCRYPT),
            row("minProtocol implies encrypt", b -> b.minProtocol(TlsProtocol.TLS_V1_2), Level.ENCRYPT),
            row("an identity constraint implies verify", b -> b.require(PARTNER_CN), Level.VERIFY),
            row("identity and floors imply verify", b -> b.minCipherBits(128).require(PARTNER_CN), Level.VERIFY),
            row("none", b -> b.level(Level.NONE), Level.NONE),
            row("none with failure settings", b -> b.level(Level.NONE).failure(Failure.PERMANENT), Level.NONE),
            row("none with a zero floor", b -> b.level(Level.NONE).minCipherBits(0), Level.NONE),
            row("encrypt", b -> b.level(Level.ENCRYPT), Level.ENCRYPT),
            row("verify without constraints", b -> b.level(Level.VERIFY), Level.VERIFY),
            row("verify above what floors imply", b -> b.level(Level.VERIFY).minCipherBits(128), Level.VERIFY),
            row("encrypt with floors", b -> b.level(Level.ENCRYPT).minCipherBits(256).minProtocol(TlsProtocol.TLS_V1_3), Level.ENCRYPT),
            // certificate settings and fingerprint
            row("a pin implies verify, not fingerprint", b -> b.certificate(PINNED), Level.VERIFY),
            row("acceptServerAuthOnly implies verify", b -> b.certificate(SERVER_AUTH_OK), Level.VERIFY),
            row("minRsaBits implies verify", b -> b.certificate(CertificateRequirement.builder().minRsaBits(3072).build()), Level.VERIFY),
            row("minEcBits implies verify", b -> b.certificate(CertificateRequirement.builder().minEcBits(384).build()), Level.VERIFY),
            row("revocation off implies verify",
                b -> b.certificate(CertificateRequirement.builder().revocation(CertificateRequirement.Revocation.OFF).build()), Level.VERIFY),
            row("explicit default certificate settings imply nothing", b -> b.minCipherBits(128)
                .certificate(CertificateRequirement.builder().minRsaBits(2048).build()), Level.ENCRYPT),
            row("fingerprint with a pin", b -> b.level(Level.FINGERPRINT).certificate(PINNED), Level.FINGERPRINT),
            row("fingerprint with a pin and identity", b -> b.level(Level.FINGERPRINT).certificate(PINNED).require(PARTNER_CN), Level.FINGERPRINT),
            row("fingerprint with a pin and floors", b -> b.level(Level.FINGERPRINT).certificate(PINNED).minCipherBits(256), Level.FINGERPRINT),
            row("verify with a pin", b -> b.level(Level.VERIFY).certificate(PINNED), Level.VERIFY),
            row("verify with certificate settings", b -> b.level(Level.VERIFY).certificate(SERVER_AUTH_OK), Level.VERIFY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void levels(String name, UnaryOperator<TlsRequirement.Builder> settings, Level expected) {
        TlsRequirement requirement = settings.apply(TlsRequirement.builder()).build();
        assertThat(requirement).extracting(TlsRequirement::level, TlsRequirement::requiresTls, TlsRequirement::requiresCertificate)
            .containsExactly(expected, expected != Level.NONE, expected.requiresCertificate());
    }

    static Stream<Arguments> contradictions() {
        return Stream.of(
            row("nothing set", b -> b, NO_LEVEL),
            row("only a zero floor", b -> b.minCipherBits(0), NO_LEVEL),
            row("only failure settings", b -> b.failure(Failure.PERMANENT).afterRefusal(AfterRefusal.DISCONNECT), NO_LEVEL),
            row("none with minCipherBits", b -> b.level(Level.NONE).minCipherBits(128), "level none contradicts " + NEEDS_TLS),
            row("none with minProtocol", b -> b.level(Level.NONE).minProtocol(TlsProtocol.TLS_V1_2), "level none contradicts " + NEEDS_TLS),
            row("none with identity", b -> b.level(Level.NONE).require(PARTNER_CN), "level none contradicts " + NEEDS_VERIFY),
            row("encrypt with identity", b -> b.level(Level.ENCRYPT).require(PARTNER_CN), "level encrypt contradicts " + NEEDS_VERIFY),
            row("encrypt with identity and floors", b -> b.level(Level.ENCRYPT).minCipherBits(128).require(PARTNER_CN),
                "level encrypt contradicts " + NEEDS_VERIFY),
            // certificate settings and fingerprint
            row("fingerprint without a pin", b -> b.level(Level.FINGERPRINT), NEEDS_PIN),
            row("fingerprint with identity but no pin", b -> b.level(Level.FINGERPRINT).require(PARTNER_CN), NEEDS_PIN),
            row("fingerprint with certificate settings but no pin", b -> b.level(Level.FINGERPRINT).certificate(SERVER_AUTH_OK), NEEDS_PIN),
            row("fingerprint with floors but no pin", b -> b.level(Level.FINGERPRINT).minCipherBits(128), NEEDS_PIN),
            row("encrypt with a pin", b -> b.level(Level.ENCRYPT).certificate(PINNED), "level encrypt contradicts " + NEEDS_CERTIFICATE_LEVEL),
            row("encrypt with acceptServerAuthOnly", b -> b.level(Level.ENCRYPT).certificate(SERVER_AUTH_OK),
                "level encrypt contradicts " + NEEDS_CERTIFICATE_LEVEL),
            row("none with minEcBits", b -> b.level(Level.NONE).certificate(CertificateRequirement.builder().minEcBits(384).build()),
                "level none contradicts " + NEEDS_CERTIFICATE_LEVEL),
            row("none with revocation soft-fail",
                b -> b.level(Level.NONE).certificate(CertificateRequirement.builder().revocation(CertificateRequirement.Revocation.SOFT_FAIL).build()),
                "level none contradicts " + NEEDS_CERTIFICATE_LEVEL),
            row("identity is named before certificate settings", b -> b.level(Level.ENCRYPT).require(PARTNER_CN).certificate(PINNED),
                "level encrypt contradicts " + NEEDS_VERIFY),
            row("certificate checks are named before floors", b -> b.level(Level.NONE).minCipherBits(128).certificate(PINNED),
                "level none contradicts " + NEEDS_CERTIFICATE_LEVEL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void contradictions(String name, UnaryOperator<TlsRequirement.Builder> settings, String message) {
        TlsRequirement.Builder builder = settings.apply(TlsRequirement.builder());
        assertThatThrownBy(builder::build).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 257, 512, Integer.MAX_VALUE})
    void cipherBitsOutsideZeroTo256AreRefused(int bits) {
        assertThatThrownBy(() -> TlsRequirement.builder().minCipherBits(bits))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("cipher bits must be between 0 and 256, not " + bits);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 40, 112, 128, 255, 256})
    void cipherBitsFromZeroTo256AreKept(int bits) {
        assertThat(TlsRequirement.builder().level(Level.ENCRYPT).minCipherBits(bits).build().minCipherBits()).isEqualTo(bits);
    }

    @Test
    void defaultsAreTemporaryFailurePermanentMissingTlsAndRefuse() {
        TlsRequirement requirement = TlsRequirement.builder().level(Level.ENCRYPT).build();
        assertThat(requirement).extracting(TlsRequirement::failure, TlsRequirement::missingTls, TlsRequirement::afterRefusal,
                TlsRequirement::minCipherBits, TlsRequirement::minProtocol, TlsRequirement::identity)
            .containsExactly(Failure.TEMPORARY, Failure.PERMANENT, AfterRefusal.REFUSE, 0, Optional.empty(), List.of());
    }

    @Test
    void noneAsksNothing() {
        assertThat(TlsRequirement.none()).extracting(TlsRequirement::level, TlsRequirement::requiresTls, TlsRequirement::toString)
            .containsExactly(Level.NONE, false, "level=none");
    }

    @Test
    void constraintsAreCopiedWhenBuilt() {
        TlsRequirement.Builder builder = TlsRequirement.builder().require(PARTNER_CN);
        TlsRequirement requirement = builder.build();
        builder.require(PARTNER_CN);
        assertThat(requirement.identity()).containsExactly(PARTNER_CN);
        assertThatThrownBy(() -> requirement.identity().add(PARTNER_CN)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void describesEverySetting() {
        TlsRequirement requirement = TlsRequirement.builder().require(PARTNER_CN)
            .require(new IdentityConstraint(Field.DNS_NAME, List.of(IdentityPattern.glob("*.partner.example"), IdentityPattern.exact("partner.example"))))
            .minCipherBits(128).minProtocol(TlsProtocol.TLS_V1_2)
            .failure(Failure.PERMANENT).missingTls(Failure.TEMPORARY).afterRefusal(AfterRefusal.DISCONNECT).build();
        assertThat(requirement).hasToString("level=verify minCipherBits=128 minProtocol=TLSv1.2"
            + " identity=[subject CN mx.partner.example; subjectAltName DNS name [glob:*.partner.example, partner.example]]"
            + " failure=permanent missingTls=temporary afterRefusal=disconnect");
    }

    @Test
    void fingerprintIsALevelThatRequiresACertificate() {
        assertThat(Level.values()).extracting(Level::configName).containsExactly("none", "may", "encrypt", "fingerprint", "verify", "secure");
        assertThat(Level.values()).filteredOn(Level::requiresCertificate).containsExactly(Level.FINGERPRINT, Level.VERIFY, Level.SECURE);
        assertThat(Level.values()).filteredOn(Level::requiresTls).containsExactly(Level.ENCRYPT, Level.FINGERPRINT, Level.VERIFY, Level.SECURE);
        assertThat(Level.values()).filteredOn(Level::chainsToTrustAnchor).containsExactly(Level.VERIFY, Level.SECURE);
    }

    @Test
    void describesCertificateSettings() {
        TlsRequirement requirement = TlsRequirement.builder().level(Level.FINGERPRINT)
            .certificate(CertificateRequirement.builder().pin(CertificatePin.parse(CertificatePin.Of.CERTIFICATE, DIGEST))
                .acceptServerAuthOnly(true).minRsaBits(3072).revocation(CertificateRequirement.Revocation.SOFT_FAIL).build())
            .build();
        assertThat(requirement).hasToString("level=fingerprint pins=[certificate:sha256:" + DIGEST + "] acceptServerAuthOnly=true"
            + " minRsaBits=3072 revocation=soft-fail failure=temporary missingTls=permanent afterRefusal=refuse");
        assertThat(requirement.certificate().pins()).hasSize(1);
    }

    @Test
    void theCertificateRequirementIsDefaultUnlessSet() {
        assertThat(TlsRequirement.builder().level(Level.VERIFY).build().certificate()).isSameAs(CertificateRequirement.defaults());
        assertThatThrownBy(() -> TlsRequirement.builder().certificate(null)).isExactlyInstanceOf(NullPointerException.class);
    }

    private static Arguments row(String name, UnaryOperator<TlsRequirement.Builder> settings, Object expected) {
        return Arguments.of(name, settings, expected);
    }
}
