package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsProtocolTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "SSLv3      | SSL_V3",
        "TLSv1      | TLS_V1",
        "TLSv1.1    | TLS_V1_1",
        "TLSv1.2    | TLS_V1_2",
        "TLSv1.3    | TLS_V1_3",
        "tlsv1.3    | TLS_V1_3",
        "' TLSv1.2 '| TLS_V1_2",
    })
    void knowsTheJsseNames(String name, TlsProtocol protocol) {
        assertThat(TlsProtocol.fromJsseName(name)).hasValue(protocol);
        assertThat(protocol.jsseName()).isEqualTo(protocol.toString()).isEqualToIgnoringCase(name.trim());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"NONE", "SSLv2Hello", "SSLv2", "TLSv1.4", "TLSv1.0", "TLS1.2", "DTLSv1.2", "TLSv1.2.1"})
    void anythingElseIsUnknown(String name) {
        assertThat(TlsProtocol.fromJsseName(name)).isEmpty();
    }

    @ParameterizedTest(name = "{0} at least {1}: {2}")
    @CsvSource({
        "TLS_V1_3, TLS_V1_2, true", "TLS_V1_2, TLS_V1_2, true", "TLS_V1_1, TLS_V1_2, false",
        "TLS_V1, TLS_V1_1, false", "SSL_V3, TLS_V1, false", "TLS_V1, SSL_V3, true",
    })
    void isOrderedByStrength(TlsProtocol protocol, TlsProtocol floor, boolean atLeast) {
        assertThat(protocol.isAtLeast(floor)).isEqualTo(atLeast);
    }
}
