package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CipherSuiteTest {
    private static final String TABLE = "/jsse-cipher-suites.tsv";
    private static final String UNKNOWN = "unknown";
    private static final String RENEGOTIATION_SCSV = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";

    /** The table: name -> "bits<TAB>weaknesses" or "unknown", in file order. */
    private static final Map<String, String> EXPECTED = readTable();

    static Stream<Arguments> table() {
        return EXPECTED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("table")
    void strengthIsReadFromTheName(String name, String expected) {
        assertThat(CipherSuite.named(name).map(CipherSuiteTest::describe).orElse(UNKNOWN)).isEqualTo(expected);
    }

    /** Runs with the surefire argLine that empties jdk.tls.disabledAlgorithms (all-jsse-suites.security). */
    @Test
    void everySuiteTheRunningJdkCanNegotiateIsInTheTableWithAKnownStrength() throws NoSuchAlgorithmException {
        List<String> supported = Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        assertThat(supported).as("suites with nothing disabled: is the surefire argLine in effect?").hasSizeGreaterThan(80);

        assertThat(supported).allSatisfy(name -> assertThat(EXPECTED).as("in " + TABLE).containsKey(name));
        assertThat(supported.stream().filter(name -> CipherSuite.named(name).isEmpty()))
            .as("suites without a known strength").containsExactly(RENEGOTIATION_SCSV);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t"})
    void noNameIsNoSuite(String name) {
        assertThat(CipherSuite.named(name)).isEmpty();
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(CipherSuite.named(" TLS_AES_128_GCM_SHA256\t").map(CipherSuite::name)).hasValue("TLS_AES_128_GCM_SHA256");
    }

    /** Not JSSE names: an export key exchange makes a suite export grade whatever cipher it names. */
    @ParameterizedTest
    @ValueSource(strings = {"SSL_RSA_EXPORT_WITH_DES_CBC_SHA", "TLS_KRB5_EXPORT_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_DSS_EXPORT_WITH_AES_256_CBC_SHA"})
    void anExportKeyExchangeCapsTheStrengthAt40Bits(String name) {
        assertThat(CipherSuite.named(name).map(CipherSuiteTest::describe)).hasValue("40\tEXPORT");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "TLS_AES_128_CCM_8_SHA256                   | AES_128_CCM_8",
        "TLS_AES_128_CCM_SHA256                     | AES_128_CCM",
        "TLS_CHACHA20_POLY1305_SHA256               | CHACHA20_POLY1305",
        "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA        | DES_CBC_40",
        "SSL_RSA_WITH_DES_CBC_SHA                   | DES_CBC",
        "SSL_RSA_WITH_3DES_EDE_CBC_SHA              | 3DES_EDE_CBC",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384    | AES_256_CBC",
    })
    void bulkCipherIsTheLongestKnownToken(String name, String bulkCipher) {
        assertThat(CipherSuite.named(name).map(CipherSuite::bulkCipher)).hasValue(bulkCipher);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "TLS_AES_256_GCM_SHA384          | TLS_AES_256_GCM_SHA384(256 bits)",
        "SSL_DH_anon_EXPORT_WITH_RC4_40_MD5 | SSL_DH_anon_EXPORT_WITH_RC4_40_MD5(40 bits, [rc4, export, anonymous])",
    })
    void describesItselfForLogs(String name, String text) {
        assertThat(CipherSuite.named(name).map(CipherSuite::toString)).hasValue(text);
    }

    @Test
    void anAliasIsADifferentNameForTheSameStrength() {
        CipherSuite ssl = CipherSuite.named("SSL_RSA_WITH_3DES_EDE_CBC_SHA").orElseThrow();
        CipherSuite tls = CipherSuite.named("TLS_RSA_WITH_3DES_EDE_CBC_SHA").orElseThrow();
        assertThat(describe(ssl)).isEqualTo(describe(tls));
        assertThat(ssl).isNotEqualTo(tls).isEqualTo(CipherSuite.named("SSL_RSA_WITH_3DES_EDE_CBC_SHA").orElseThrow());
    }

    private static String describe(CipherSuite suite) {
        return suite.bits() + "\t" + (suite.weaknesses().isEmpty() ? "-"
            : suite.weaknesses().stream().map(Enum::name).collect(Collectors.joining(",")));
    }

    /** Reads the table, normalising the weakness column to CipherWeakness declaration order. */
    private static Map<String, String> readTable() {
        Map<String, String> rows = new LinkedHashMap<>();
        try (InputStream in = CipherSuiteTest.class.getResourceAsStream(TABLE);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t", -1);
                String expected = columns.length == 2 && columns[1].equals(UNKNOWN) ? UNKNOWN
                    : columns.length == 3 ? Integer.parseInt(columns[1]) + "\t" + weaknesses(columns[2])
                    : null;
                if (expected == null || rows.put(columns[0], expected) != null) {
                    throw new IllegalStateException(TABLE + ": bad or repeated row: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static String weaknesses(String column) {
        if (column.equals("-")) {
            return "-";
        }
        Set<CipherWeakness> set = EnumSet.noneOf(CipherWeakness.class);
        Arrays.stream(column.split(",")).map(CipherWeakness::valueOf).forEach(set::add);
        return set.stream().map(Enum::name).collect(Collectors.joining(","));
    }
}
