package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.google.common.net.InetAddresses;

import io.tlsgate.policy.AddressBlock;

class PeerKeyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "mx.partner.example      | mx.partner.example",
        "MX.Partner.Example.     | MX.Partner.Example",
        "' partner.example '     | partner.example",
        "localhost               | localhost",
        "_smtp.partner.example   | _smtp.partner.example",
        "123.partner.example     | 123.partner.example",
        "xn--mnchen-3ya.example  | xn--mnchen-3ya.example",
    })
    void hostNamesAndDomains(String key, String host) {
        PeerKey parsed = PeerKey.parse(key);
        assertThat(parsed.host()).hasValue(host);
        assertThat(parsed.block()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // key                   | network        | prefix | shown as
        "192.0.2.7               | 192.0.2.7      | 32     | 192.0.2.7",
        "192.0.2                 | 192.0.2.0      | 24     | 192.0.2",
        "10.1                    | 10.1.0.0       | 16     | 10.1",
        "10                      | 10.0.0.0       | 8      | 10",
        "192.0.2.0/24            | 192.0.2.0      | 24     | 192.0.2.0/24",
        "0.0.0.0/0               | 0.0.0.0        | 0      | 0.0.0.0/0",
        "2001:db8::7             | 2001:db8::7    | 128    | 2001:db8::7",
        "IPv6:2001:db8::7        | 2001:db8::7    | 128    | 2001:db8::7",
        "ipv6:2001:DB8::/32      | 2001:db8::     | 32     | 2001:DB8::/32",
        "::ffff:192.0.2.7        | 192.0.2.7      | 32     | ::ffff:192.0.2.7",
    })
    void addressesPrefixesAndBlocks(String key, String network, int prefix, String shown) {
        PeerKey parsed = PeerKey.parse(key);
        assertThat(parsed.host()).isEmpty();
        assertThat(parsed.block().map(b -> b.prefixLength() + " " + b)).isEqualTo(Optional.of(prefix + " " + shown));
        assertThat(parsed.block().orElseThrow()).isEqualTo(AddressBlock.of(InetAddresses.forString(network).getAddress(), prefix, network));
    }
}
