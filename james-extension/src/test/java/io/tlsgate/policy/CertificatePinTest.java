package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.withDigests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.CertificatePin.Of;

class CertificatePinTest {
    /** A 32-byte digest in lower-case hex, and the same bytes in base64. */
    private static final String HEX = "b2b5e3c6f5c0b8f1a1d1f5f4e1c2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4";
    private static final String BASE64 = Base64.getEncoder().encodeToString(bytes(HEX));
    private static final String OTHER = "0000000000000000000000000000000000000000000000000000000000000001";
    private static final String NOT_A_DIGEST = " is not a SHA-256 digest: write 64 hex digits (colons allowed) or 44 base64 characters";

    static Stream<Arguments> notations() {
        return Stream.of(
            Arguments.of("lower-case hex", HEX),
            Arguments.of("upper-case hex", HEX.toUpperCase()),
            Arguments.of("openssl -fingerprint -sha256 (colons)", colons(HEX.toUpperCase())),
            Arguments.of("colons, lower case", colons(HEX)),
            Arguments.of("surrounded by blanks and a newline", "  \n" + HEX + "\t "),
            Arguments.of("base64 (44 characters)", BASE64),
            Arguments.of("base64 without its padding", BASE64.substring(0, 43)),
            Arguments.of("base64 surrounded by blanks", " " + BASE64 + " "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notations(String name, String text) {
        CertificatePin pin = CertificatePin.parse(Of.SPKI, text);
        assertThat(pin).extracting(CertificatePin::of, CertificatePin::sha256, CertificatePin::toString)
            .containsExactly(Of.SPKI, HEX, "spki:sha256:" + HEX);
    }

    static Stream<Arguments> notDigests() {
        return Stream.of(
            Arguments.of("empty", "", "''"),
            Arguments.of("blank", "   ", "''"),
            Arguments.of("a word", "partner", "'partner'"),
            Arguments.of("63 hex digits", HEX.substring(1), "'" + HEX.substring(1) + "'"),
            Arguments.of("65 hex digits", HEX + "a", "'" + HEX + "a'"),
            Arguments.of("a non-hex digit", "g" + HEX.substring(1), "'g" + HEX.substring(1) + "'"),
            Arguments.of("a SHA-1 fingerprint in hex", HEX.substring(0, 40), "'" + HEX.substring(0, 40) + "'"),
            Arguments.of("openssl's whole output line", "SHA256 Fingerprint=" + colons(HEX), "'SHA256 Fingerprint=" + colons(HEX) + "'"),
            Arguments.of("hex separated by blanks", colons(HEX).replace(':', ' '), "'" + colons(HEX).replace(':', ' ') + "'"),
            Arguments.of("a SHA-1 digest in base64", base64(20), "'" + base64(20) + "'"),
            Arguments.of("a SHA-384 digest in base64", base64(48), "'" + base64(48) + "'"),
            Arguments.of("base64url alphabet", "-_" + BASE64.substring(2), "'-_" + BASE64.substring(2) + "'"),
            Arguments.of("a 'sha256/' prefix (HPKP header style)", "sha256/" + BASE64, "'sha256/" + BASE64 + "'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notDigests(String name, String text, String quoted) {
        assertThatThrownBy(() -> CertificatePin.parse(Of.CERTIFICATE, text))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(quoted + NOT_A_DIGEST);
    }

    static Stream<Arguments> matches() {
        PeerCertificate byKey = withDigests("CN=mx.partner.example", OTHER, HEX);
        PeerCertificate byCertificate = withDigests("CN=mx.partner.example", HEX, OTHER);
        PeerCertificate neither = withDigests("CN=mx.partner.example", OTHER, OTHER);
        return Stream.of(
            Arguments.of("spki pin, key digest equal", Of.SPKI, byKey, true),
            Arguments.of("spki pin, only the certificate digest equal", Of.SPKI, byCertificate, false),
            Arguments.of("certificate pin, certificate digest equal", Of.CERTIFICATE, byCertificate, true),
            Arguments.of("certificate pin, only the key digest equal", Of.CERTIFICATE, byKey, false),
            Arguments.of("spki pin, neither", Of.SPKI, neither, false),
            Arguments.of("certificate pin, neither", Of.CERTIFICATE, neither, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void matches(String name, Of of, PeerCertificate certificate, boolean matches) {
        assertThat(CertificatePin.parse(of, colons(HEX.toUpperCase())).matches(certificate)).isEqualTo(matches);
    }

    @Test
    void theSameDigestInAnyNotationIsTheSamePin() {
        CertificatePin hex = CertificatePin.parse(Of.SPKI, HEX);
        CertificatePin base64 = CertificatePin.parse(Of.SPKI, BASE64);
        assertThat(base64).isEqualTo(hex).hasSameHashCodeAs(hex);
    }

    @Test
    void aKeyPinAndACertificatePinOfTheSameDigestDiffer() {
        assertThat(CertificatePin.parse(Of.SPKI, HEX)).isNotEqualTo(CertificatePin.parse(Of.CERTIFICATE, HEX))
            .isNotEqualTo(CertificatePin.parse(Of.SPKI, OTHER))
            .isNotEqualTo(HEX);
        assertThat(CertificatePin.parse(Of.CERTIFICATE, HEX)).hasToString("certificate:sha256:" + HEX);
    }

    @Test
    void whatIsPinnedMustBeSaid() {
        assertThatThrownBy(() -> CertificatePin.parse(null, HEX)).isExactlyInstanceOf(NullPointerException.class).hasMessage("of");
    }

    @Test
    void configNames() {
        assertThat(Of.values()).extracting(Of::configName).containsExactly("spki", "certificate");
    }

    private static String colons(String hex) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            out.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        }
        return out.toString();
    }

    private static String base64(int bytes) {
        byte[] digest = new byte[bytes];
        java.util.Arrays.fill(digest, (byte) 0xfb);
        return Base64.getEncoder().encodeToString(digest);
    }

    private static byte[] bytes(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
