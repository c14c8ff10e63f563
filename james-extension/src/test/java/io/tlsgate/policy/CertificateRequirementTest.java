package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.policy.CertificatePin.Of;
import io.tlsgate.policy.CertificateRequirement.Revocation;

class CertificateRequirementTest {
    private static final String DIGEST = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final CertificatePin SPKI_PIN = CertificatePin.parse(Of.SPKI, DIGEST);
    private static final CertificatePin CERTIFICATE_PIN = CertificatePin.parse(Of.CERTIFICATE, DIGEST);

    @Test
    void defaultsRequireClientAuthRsa2048Ec256AndAKnownRevocationStatus() {
        CertificateRequirement defaults = CertificateRequirement.defaults();
        assertThat(defaults).extracting(CertificateRequirement::pins, CertificateRequirement::acceptServerAuthOnly,
                CertificateRequirement::minRsaBits, CertificateRequirement::minEcBits, CertificateRequirement::revocation,
                CertificateRequirement::isDefault, CertificateRequirement::toString)
            .containsExactly(List.of(), false, 2048, 256, Revocation.REQUIRED, true, "");
        assertThat(CertificateRequirement.builder().build()).isEqualTo(defaults).hasSameHashCodeAs(defaults);
    }

    @Test
    void explicitDefaultValuesAreStillTheDefault() {
        CertificateRequirement explicit = CertificateRequirement.builder().acceptServerAuthOnly(false).minRsaBits(2048).minEcBits(256)
            .revocation(Revocation.REQUIRED).build();
        assertThat(explicit.isDefault()).isTrue();
        assertThat(explicit).isEqualTo(CertificateRequirement.defaults());
    }

    static Stream<Arguments> settings() {
        return Stream.of(
            row("a key pin", b -> b.pin(SPKI_PIN), "pins=[spki:sha256:" + DIGEST + "]"),
            row("a certificate pin", b -> b.pin(CERTIFICATE_PIN), "pins=[certificate:sha256:" + DIGEST + "]"),
            row("two pins", b -> b.pin(SPKI_PIN).pin(CERTIFICATE_PIN),
                "pins=[spki:sha256:" + DIGEST + ", certificate:sha256:" + DIGEST + "]"),
            row("serverAuth-only accepted", b -> b.acceptServerAuthOnly(true), "acceptServerAuthOnly=true"),
            row("RSA 3072", b -> b.minRsaBits(3072), "minRsaBits=3072"),
            row("RSA 1024", b -> b.minRsaBits(1024), "minRsaBits=1024"),
            row("EC 384", b -> b.minEcBits(384), "minEcBits=384"),
            row("EC 224", b -> b.minEcBits(224), "minEcBits=224"),
            row("soft-fail", b -> b.revocation(Revocation.SOFT_FAIL), "revocation=soft-fail"),
            row("revocation off", b -> b.revocation(Revocation.OFF), "revocation=off"),
            row("everything", b -> b.pin(SPKI_PIN).acceptServerAuthOnly(true).minRsaBits(4096).minEcBits(521).revocation(Revocation.OFF),
                "pins=[spki:sha256:" + DIGEST + "] acceptServerAuthOnly=true minRsaBits=4096 minEcBits=521 revocation=off"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void settings(String name, UnaryOperator<CertificateRequirement.Builder> settings, String described) {
        CertificateRequirement requirement = settings.apply(CertificateRequirement.builder()).build();
        assertThat(requirement.isDefault()).isFalse();
        assertThat(requirement).hasToString(described).isNotEqualTo(CertificateRequirement.defaults());
        CertificateRequirement again = settings.apply(CertificateRequirement.builder()).build();
        assertThat(again).isEqualTo(requirement).hasSameHashCodeAs(requirement);
    }

    /** The requirement is part of the verification cache key: each setting makes another key, equal settings the same key. */
    @Test
    void everySettingMakesADistinctCacheKey() {
        Map<CertificateRequirement, String> keys = new HashMap<>();
        keys.put(CertificateRequirement.defaults(), "defaults");
        settings().forEach(arguments -> {
            @SuppressWarnings("unchecked")
            UnaryOperator<CertificateRequirement.Builder> settings = (UnaryOperator<CertificateRequirement.Builder>) arguments.get()[1];
            assertThat(keys.put(settings.apply(CertificateRequirement.builder()).build(), (String) arguments.get()[0])).isNull();
        });
        assertThat(keys).hasSize(12);
        assertThat(keys.get(CertificateRequirement.builder().minRsaBits(3072).build())).isEqualTo("RSA 3072");
        assertThat(keys.get(CertificateRequirement.builder().revocation(Revocation.SOFT_FAIL).build())).isEqualTo("soft-fail");
        assertThat(CertificateRequirement.defaults()).isNotEqualTo("").isNotEqualTo(null);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 1025, 2048, 3072, 4096, 16384})
    void rsaBitsFrom1024To16384AreKept(int bits) {
        assertThat(CertificateRequirement.builder().minRsaBits(bits).build().minRsaBits()).isEqualTo(bits);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 512, 1023, 16385, Integer.MAX_VALUE})
    void rsaBitsOutside1024To16384AreRefused(int bits) {
        assertThatThrownBy(() -> CertificateRequirement.builder().minRsaBits(bits))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("RSA key bits must be between 1024 and 16384, not " + bits);
    }

    @ParameterizedTest
    @ValueSource(ints = {224, 225, 256, 384, 521})
    void ecBitsFrom224To521AreKept(int bits) {
        assertThat(CertificateRequirement.builder().minEcBits(bits).build().minEcBits()).isEqualTo(bits);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 160, 223, 522, 1024, Integer.MAX_VALUE})
    void ecBitsOutside224To521AreRefused(int bits) {
        assertThatThrownBy(() -> CertificateRequirement.builder().minEcBits(bits))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("EC key bits must be between 224 and 521, not " + bits);
    }

    @Test
    void aRefusedBoundKeepsThePreviousValue() {
        CertificateRequirement.Builder builder = CertificateRequirement.builder().minRsaBits(3072).minEcBits(384);
        assertThatThrownBy(() -> builder.minRsaBits(1023)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.minEcBits(522)).isInstanceOf(IllegalArgumentException.class);
        assertThat(builder.build()).extracting(CertificateRequirement::minRsaBits, CertificateRequirement::minEcBits)
            .containsExactly(3072, 384);
    }

    @Test
    void pinsAreCopiedWhenBuiltAndCannotBeChanged() {
        CertificateRequirement.Builder builder = CertificateRequirement.builder().pin(SPKI_PIN);
        CertificateRequirement requirement = builder.build();
        builder.pin(CERTIFICATE_PIN);
        assertThat(requirement.pins()).containsExactly(SPKI_PIN);
        assertThatThrownBy(() -> requirement.pins().add(CERTIFICATE_PIN)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nullsAreRefused() {
        assertThatThrownBy(() -> CertificateRequirement.builder().pin(null)).isExactlyInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> CertificateRequirement.builder().revocation(null)).isExactlyInstanceOf(NullPointerException.class);
    }

    @Test
    void revocationConfigNames() {
        assertThat(Revocation.values()).extracting(Revocation::configName).containsExactly("required", "soft-fail", "off");
    }

    private static Arguments row(String name, UnaryOperator<CertificateRequirement.Builder> settings, String described) {
        return Arguments.of(name, settings, described);
    }
}
