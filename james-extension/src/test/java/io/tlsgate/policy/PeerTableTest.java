package io.tlsgate.policy;

import static io.tlsgate.policy.Addresses.block;
import static io.tlsgate.policy.Addresses.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.policy.PeerTable.Builder;
import io.tlsgate.policy.PeerTable.Match;
import io.tlsgate.policy.PeerTable.MatchKind;

class PeerTableTest {
    private static final String DEFAULT = "default rule";

    private static final PeerTable<String> TABLE = PeerTable.builder(DEFAULT)
        .host("partner.example", "partner")
        .host("MX.Partner.Example.", "partner mx")
        .host("example.net", "example.net")
        .address(block("10.0.0.0", 8), "ten")
        .address(AddressBlock.of(bytes("10.1.0.0"), 16, "10.1"), "ten-one")
        .address(AddressBlock.of(bytes("10.1.2.3"), 32, "10.1.2.3"), "one host")
        .address(block("192.0.2.128", 25), "upper half")
        .address(block("2001:db8::", 32), "doc6")
        .address(block("2001:db8:1::", 48), "doc6 subnet")
        .address(AddressBlock.of(bytes("2001:db8:1::7"), 128, "2001:db8:1::7"), "doc6 host")
        .build();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // host name first, then its parent domains; names are normalised (case, trailing dot)
        "mx.partner.example      | 10.1.2.3          | partner mx  | HOST    | mx.partner.example",
        "MX.PARTNER.EXAMPLE.     | 203.0.113.9       | partner mx  | HOST    | mx.partner.example",
        "a.b.mx.partner.example  | 203.0.113.9       | partner mx  | HOST    | mx.partner.example",
        "smtp.partner.example    | 10.1.2.3          | partner     | HOST    | partner.example",
        "partner.example         | 203.0.113.9       | partner     | HOST    | partner.example",
        "' Partner.Example '     | 203.0.113.9       | partner     | HOST    | partner.example",
        "mail.example.net        | 2001:db8:1::7     | example.net | HOST    | example.net",
        // a parent domain matches only at a label boundary, and a name never matches its own parent's key
        "otherpartner.example    | 10.1.2.3          | one host    | ADDRESS | 10.1.2.3",
        "partner.example.evil    | 203.0.113.9       | default rule| DEFAULT | default",
        "example                 | 203.0.113.9       | default rule| DEFAULT | default",
        "unknown.example         | 10.1.9.9          | ten-one     | ADDRESS | 10.1",
        // no trusted name: the address, then shorter prefixes (Sendmail prefixes and CIDR alike)
        "-                       | 10.1.2.3          | one host    | ADDRESS | 10.1.2.3",
        "-                       | 10.1.2.4          | ten-one     | ADDRESS | 10.1",
        "-                       | 10.1.255.255      | ten-one     | ADDRESS | 10.1",
        "-                       | 10.2.0.1          | ten         | ADDRESS | 10.0.0.0/8",
        "-                       | 10.255.255.255    | ten         | ADDRESS | 10.0.0.0/8",
        "-                       | 11.0.0.0          | default rule| DEFAULT | default",
        "-                       | 192.0.2.128       | upper half  | ADDRESS | 192.0.2.128/25",
        "-                       | 192.0.2.255       | upper half  | ADDRESS | 192.0.2.128/25",
        "-                       | 192.0.2.127       | default rule| DEFAULT | default",
        // IPv4-mapped IPv6 addresses are their IPv4 address; IPv4-compatible and other IPv6 addresses are not
        "-                       | ::ffff:10.1.2.3   | one host    | ADDRESS | 10.1.2.3",
        "-                       | ::ffff:10.9.9.9   | ten         | ADDRESS | 10.0.0.0/8",
        "-                       | ::ffff:192.0.2.200| upper half  | ADDRESS | 192.0.2.128/25",
        "-                       | ::10.1.2.3        | default rule| DEFAULT | default",
        "-                       | a01:203::         | default rule| DEFAULT | default",
        // IPv6 blocks, longest prefix first
        "-                       | 2001:db8:1::7     | doc6 host   | ADDRESS | 2001:db8:1::7",
        "-                       | 2001:db8:1::8     | doc6 subnet | ADDRESS | 2001:db8:1::/48",
        "-                       | 2001:db8:1:ffff:ffff:ffff:ffff:ffff | doc6 subnet | ADDRESS | 2001:db8:1::/48",
        "-                       | 2001:db8:2::1     | doc6        | ADDRESS | 2001:db8::/32",
        "-                       | 2001:db9::1       | default rule| DEFAULT | default",
        "-                       | ::1               | default rule| DEFAULT | default",
    })
    void looksUpInSendmailOrder(String hostName, String address, String rule, MatchKind kind, String key) {
        Match<String> match = TABLE.lookup(Optional.ofNullable(hostName), bytes(address));
        assertThat(match).extracting(Match::rule, Match::kind, Match::key).containsExactly(rule, kind, key);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mx.partner.example", "unknown.example"})
    void aNameIsNotLookedUpWhenOnlyAddressesHaveRules(String hostName) {
        PeerTable<String> addressesOnly = PeerTable.builder(DEFAULT).address(block("10.0.0.0", 8), "ten").build();
        assertThat(addressesOnly.hasHostEntries()).isFalse();
        assertThat(addressesOnly.lookup(Optional.of(hostName), bytes("10.1.2.3")).rule()).isEqualTo("ten");
        assertThat(addressesOnly.lookup(Optional.of(hostName), bytes("11.1.2.3")).kind()).isEqualTo(MatchKind.DEFAULT);
    }

    @Test
    void withOnlyNameRulesAnAddressGetsTheDefault() {
        PeerTable<String> namesOnly = PeerTable.builder(DEFAULT).host("partner.example", "partner").build();
        assertThat(namesOnly.lookup(Optional.empty(), bytes("10.1.2.3")).rule()).isEqualTo(DEFAULT);
        assertThat(namesOnly.lookup(Optional.of("mx.partner.example"), bytes("10.1.2.3")).rule()).isEqualTo("partner");
    }

    @Test
    void anEmptyTableHasOnlyTheDefault() {
        PeerTable<String> empty = PeerTable.builder(DEFAULT).build();
        assertThat(empty).extracting(PeerTable::size, PeerTable::hasHostEntries, PeerTable::defaultRule)
            .containsExactly(0, false, DEFAULT);
        assertThat(empty.lookup(Optional.of("mx.partner.example"), bytes("2001:db8::1")))
            .extracting(Match::rule, Match::kind, Match::key, Match::toString).containsExactly(DEFAULT, MatchKind.DEFAULT, "default", "default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.1.2.3"})
    void aSlashZeroBlockCoversEveryIpv4AddressButNoIpv6Address(String address) {
        PeerTable<String> all = PeerTable.builder(DEFAULT).address(block("0.0.0.0", 0), "any v4").build();
        assertThat(all.lookup(Optional.empty(), bytes(address)).rule()).isEqualTo("any v4");
        assertThat(all.lookup(Optional.empty(), bytes("2001:db8::1")).rule()).isEqualTo(DEFAULT);
    }

    @Test
    void countsItsKeysAndSaysWhetherNamesMatter() {
        assertThat(TABLE).extracting(PeerTable::size, PeerTable::hasHostEntries, PeerTable::defaultRule).containsExactly(10, true, DEFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "mx.partner.example | 10.9.9.9 | host mx.partner.example",
        "unknown.example    | 10.1.2.4 | address 10.1",
        "unknown.example    | 2001:db8:1::1 | address 2001:db8:1::/48",
    })
    void aMatchSaysWhichEntryApplied(String hostName, String address, String shown) {
        assertThat(TABLE.lookup(Optional.of(hostName), bytes(address))).hasToString(shown);
    }

    static Stream<Arguments> duplicates() {
        return Stream.of(
            duplicate("the same domain", b -> b.host("partner.example", "a").host("partner.example", "b"),
                "host partner.example has two rules"),
            duplicate("a domain in another case, with a trailing dot", b -> b.host("partner.example", "a").host("PARTNER.Example.", "b"),
                "host partner.example has two rules"),
            duplicate("a Sendmail prefix and the same CIDR block", b -> b.address(AddressBlock.of(bytes("10.1.0.0"), 16, "10.1"), "a")
                .address(block("10.1.0.0", 16), "b"), "address block 10.1.0.0/16 has two rules (also written 10.1)"),
            duplicate("an address written twice", b -> b.address(AddressBlock.of(bytes("192.0.2.7"), 32, "192.0.2.7"), "a")
                .address(block("192.0.2.7", 32), "b"), "address block 192.0.2.7/32 has two rules (also written 192.0.2.7)"),
            duplicate("an IPv6 block in two spellings", b -> b.address(AddressBlock.of(bytes("2001:db8::"), 32, "2001:db8::/32"), "a")
                .address(AddressBlock.of(bytes("2001:0db8:0::"), 32, "2001:0db8:0::/32"), "b"),
                "address block 2001:0db8:0::/32 has two rules (also written 2001:db8::/32)"),
            duplicate("an empty host name", b -> b.host("", "a"), "empty host name"),
            duplicate("a host name that is only a dot", b -> b.host(" . ", "a"), "empty host name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void duplicates(String name, Consumer<Builder<String>> entries, String message) {
        assertThatThrownBy(() -> entries.accept(PeerTable.builder(DEFAULT)))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void sameNetworkWithDifferentPrefixesAreDifferentKeys() {
        PeerTable<String> nested = PeerTable.builder(DEFAULT)
            .address(block("10.0.0.0", 8), "/8").address(block("10.0.0.0", 16), "/16").address(block("10.0.0.0", 24), "/24").build();
        assertThat(Stream.of("10.0.0.1", "10.0.1.1", "10.1.1.1").map(a -> nested.lookup(Optional.empty(), bytes(a)).rule()))
            .containsExactly("/24", "/16", "/8");
    }

    private static Arguments duplicate(String name, Consumer<Builder<String>> entries, String message) {
        return Arguments.of(name, entries, message);
    }
}
