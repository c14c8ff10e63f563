package io.tlsgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin surface's input checks: syntax only, exact messages. */
class QueryInputTest {
    @ParameterizedTest
    @CsvSource({"192.0.2.7, 4", "2001:db8::7, 16", "[2001:db8::7], 16", "' 10.0.0.1 ', 4"})
    void addressesAreLiterals(String value, int bytes) {
        assertThat(QueryInput.address("address", value)).hasSize(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mx.example.com|address 'mx.example.com' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)",
        "300.1.2.3|address '300.1.2.3' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)",
        "' '|address is missing"})
    void otherAddressesAreRefused(String value, String message) {
        assertThatThrownBy(() -> QueryInput.address("address", value)).isInstanceOf(BadQuery.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"MX.Example.COM., mx.example.com", "peer.demo.test, peer.demo.test", "localhost, localhost"})
    void domainNamesAreLowerCasedWithoutTheTrailingDot(String value, String name) {
        assertThat(QueryInput.domainName("host", value)).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"bad_host..name", "192.0.2.7", "a b.example", "-x.example"})
    void otherNamesAreRefused(String value) {
        assertThatThrownBy(() -> QueryInput.domainName("host", value)).isInstanceOf(BadQuery.class)
            .hasMessage("host '" + value + "' is not a domain name");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|limit '0' is not a number from 1 to 100", "101|limit '101' is not a number from 1 to 100",
        "ten|limit 'ten' is not a number from 1 to 100"})
    void limitsOutsideTheLogAreRefused(String value, String message) {
        assertThatThrownBy(() -> QueryInput.limit(value, 100)).isInstanceOf(BadQuery.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "100, 100"})
    void limitsWithinTheLogAreTaken(String value, int limit) {
        assertThat(QueryInput.limit(value, 100)).isEqualTo(limit);
        assertThat(QueryInput.limit(null, 100)).isEqualTo(100);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"client example|helo 'client example' is not a HELO argument (one word of printable ASCII, at most 255 characters)"})
    void heloIsOneWord(String value, String message) {
        assertThatThrownBy(() -> QueryInput.helo(value)).isInstanceOf(BadQuery.class).hasMessage(message);
        assertThat(QueryInput.helo("[192.0.2.7]")).isEqualTo("[192.0.2.7]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"not-an-address", "a@b@c"})
    void recipientsAreMailAddresses(String value) {
        assertThatThrownBy(() -> QueryInput.recipient(value)).isInstanceOf(BadQuery.class)
            .hasMessageStartingWith("recipient '" + value + "' is not a mail address: ");
    }
}
