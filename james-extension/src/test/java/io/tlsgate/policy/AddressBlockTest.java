package io.tlsgate.policy;

import static io.tlsgate.policy.Addresses.block;
import static io.tlsgate.policy.Addresses.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressBlockTest {

    @ParameterizedTest(name = "{0}/{1} contains {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "192.0.2.0   | 24  | 192.0.2.0           | true",
        "192.0.2.0   | 24  | 192.0.2.255         | true",
        "192.0.2.0   | 24  | 192.0.3.0           | false",
        "192.0.2.0   | 24  | ::ffff:192.0.2.9    | true",
        "192.0.2.0   | 24  | ::192.0.2.9         | false",
        "192.0.2.0   | 24  | 2001:db8::1         | false",
        "192.0.2.7   | 32  | 192.0.2.7           | true",
        "192.0.2.7   | 32  | 192.0.2.6           | false",
        "10.0.0.0    | 7   | 11.255.255.255      | true",
        "10.0.0.0    | 7   | 12.0.0.0            | false",
        "0.0.0.0     | 0   | 203.0.113.1         | true",
        "2001:db8::  | 32  | 2001:db8:ffff::1    | true",
        "2001:db8::  | 32  | 2001:db9::          | false",
        "2001:db8::  | 32  | 32.1.13.184         | false",
        "::          | 0   | 2001:db8::1         | true",
        "::          | 0   | 10.0.0.1            | false",
    })
    void containsTheAddressesOfItsNetwork(String network, int prefix, String address, boolean contained) {
        assertThat(block(network, prefix).contains(bytes(address))).isEqualTo(contained);
    }

    @ParameterizedTest(name = "{0}/{1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "192.0.2.1    | 24  | bits beyond the /24 prefix are set",
        "10.1.0.0     | 8   | bits beyond the /8 prefix are set",
        "192.0.2.0    | 33  | prefix length must be between 0 and 32, not 33",
        "192.0.2.0    | -1  | prefix length must be between 0 and 32, not -1",
        "2001:db8::1  | 64  | bits beyond the /64 prefix are set",
        "2001:db8::   | 129 | prefix length must be between 0 and 128, not 129",
    })
    void refusesBadBlocks(String network, int prefix, String message) {
        assertThatThrownBy(() -> block(network, prefix)).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void refusesAddressesOfOtherLengths() {
        assertThatThrownBy(() -> AddressBlock.of(new byte[5], 8, "x")).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("an address has 4 or 16 bytes, not 5");
    }

    @Test
    void isShownAsWrittenAndEqualByNetwork() {
        AddressBlock sendmail = AddressBlock.of(bytes("10.1.0.0"), 16, "10.1");
        AddressBlock cidr = block("10.1.0.0", 16);
        assertThat(sendmail).hasToString("10.1").isEqualTo(cidr).hasSameHashCodeAs(cidr).isNotEqualTo(block("10.1.0.0", 24));
        assertThat(sendmail).extracting(AddressBlock::prefixLength, AddressBlock::addressLength).containsExactly(16, 4);
    }
}
