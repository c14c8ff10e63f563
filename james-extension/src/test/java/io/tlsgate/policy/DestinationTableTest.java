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

import io.tlsgate.policy.DestinationTable.Builder;
import io.tlsgate.policy.DestinationTable.Kind;
import io.tlsgate.policy.DestinationTable.Match;

/** Outbound lookup: recipient, recipient domain and parents, MX name and parents, MX address blocks, then the default. */
class DestinationTableTest {
    private static final String DEFAULT = "default rule";

    private static final DestinationTable<String> TABLE = DestinationTable.builder(DEFAULT)
        .recipient("CEO@Partner.Example", "ceo")
        .recipient(" audit@other.example ", "audit")
        .domain("partner.example", "partner")
        .domain("EU.Partner.Example.", "partner eu")
        .domain("other.example", "other")
        .mxHost("mx.hoster.example", "hoster mx")
        .mxHost("hoster.net", "hoster.net")
        .mxAddress(block("192.0.2.0", 24), "doc net")
        .mxAddress(block("192.0.2.128", 25), "doc upper half")
        .mxAddress(AddressBlock.of(bytes("192.0.2.200"), 32, "192.0.2.200"), "doc host")
        .mxAddress(AddressBlock.of(bytes("10.1.0.0"), 16, "10.1"), "ten-one")
        .mxAddress(block("2001:db8::", 32), "doc6")
        .mxAddress(block("2001:db8:25::", 48), "doc6 subnet")
        .build();

    @ParameterizedTest(name = "{0} via {2} [{3}] -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // the recipient address wins over everything, whatever its case
        "ceo@partner.example     | partner.example     | mx.hoster.example  | 192.0.2.200   | ceo            | RECIPIENT | ceo@partner.example",
        "CEO@PARTNER.EXAMPLE     | partner.example     | mx.hoster.example  | 192.0.2.200   | ceo            | RECIPIENT | ceo@partner.example",
        "Audit@Other.Example     | other.example       | -                  | 192.0.2.1     | audit          | RECIPIENT | audit@other.example",
        // another user of that domain: the domain, then its parents; the MX does not matter then
        "cfo@partner.example     | partner.example     | mx.hoster.example  | 192.0.2.200   | partner        | DOMAIN    | partner.example",
        "ceo@sales.partner.example | sales.partner.example | mx.hoster.example | 192.0.2.200 | partner      | DOMAIN    | partner.example",
        "x@eu.partner.example    | eu.partner.example  | mx.hoster.example  | 192.0.2.200   | partner eu     | DOMAIN    | eu.partner.example",
        "x@a.b.eu.partner.example | A.B.EU.Partner.Example. | -             | 203.0.113.1   | partner eu     | DOMAIN    | eu.partner.example",
        "x@PARTNER.EXAMPLE       | PARTNER.EXAMPLE     | -                  | 203.0.113.1   | partner        | DOMAIN    | partner.example",
        // a domain matches at a label boundary only
        "x@otherpartner.example  | otherpartner.example | -                 | 203.0.113.1   | default rule   | DEFAULT   | default",
        "x@partner.example.evil  | partner.example.evil | -                 | 203.0.113.1   | default rule   | DEFAULT   | default",
        // no domain rule: the MX host name, then its parent domains
        "x@customer.example      | customer.example    | mx.hoster.example  | 192.0.2.200   | hoster mx      | MX        | mx.hoster.example",
        "x@customer.example      | customer.example    | MX.Hoster.Example. | 203.0.113.1   | hoster mx      | MX        | mx.hoster.example",
        "x@customer.example      | customer.example    | a.mx.hoster.example | 203.0.113.1  | hoster mx      | MX        | mx.hoster.example",
        "x@customer.example      | customer.example    | mx7.hoster.net     | 192.0.2.200   | hoster.net     | MX        | hoster.net",
        // an MX name without a rule: its address, longest prefix first
        "x@customer.example      | customer.example    | mx2.hoster.example | 192.0.2.200   | doc host       | MX        | 192.0.2.200",
        "x@customer.example      | customer.example    | mx.customer.example | 192.0.2.201  | doc upper half | MX        | 192.0.2.128/25",
        "x@customer.example      | customer.example    | mx.customer.example | 192.0.2.127  | doc net        | MX        | 192.0.2.0/24",
        "x@customer.example      | customer.example    | mx.customer.example | 10.1.7.7     | ten-one        | MX        | 10.1",
        "x@customer.example      | customer.example    | mx.customer.example | 192.0.3.1    | default rule   | DEFAULT   | default",
        "x@customer.example      | customer.example    | mx.customer.example | 2001:db8:25::7 | doc6 subnet   | MX        | 2001:db8:25::/48",
        "x@customer.example      | customer.example    | mx.customer.example | 2001:db8:26::7 | doc6          | MX        | 2001:db8::/32",
        "x@customer.example      | customer.example    | mx.customer.example | 2001:db9::7   | default rule   | DEFAULT   | default",
        "x@customer.example      | customer.example    | mx.customer.example | ::ffff:192.0.2.200 | doc host  | MX        | 192.0.2.200",
        // an address literal (no MX name): the address only
        "x@customer.example      | customer.example    | -                  | 192.0.2.5     | doc net        | MX        | 192.0.2.0/24",
        "x@customer.example      | customer.example    | -                  | 198.51.100.5  | default rule   | DEFAULT   | default",
    })
    void looksUpInSendmailOrder(String recipient, String domain, String mxName, String mxAddress, String rule, Kind kind, String key) {
        Match<String> match = TABLE.lookup(recipient, domain, Optional.ofNullable(mxName), bytes(mxAddress));
        assertThat(match).extracting(Match::rule, Match::kind, Match::key).containsExactly(rule, kind, key);
    }

    /** The recipient domain is never looked up among the MX names, nor an MX name among the domains. */
    @Test
    void domainsAndMxNamesAreSeparateKeys() {
        DestinationTable<String> table = DestinationTable.builder(DEFAULT).domain("a.example", "domain a").mxHost("b.example", "mx b").build();
        assertThat(table.lookup("x@b.example", "b.example", Optional.of("mx.a.example"), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly(DEFAULT, Kind.DEFAULT, "default");
        assertThat(table.lookup("x@a.example", "a.example", Optional.of("mx.b.example"), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly("domain a", Kind.DOMAIN, "a.example");
        assertThat(table.lookup("x@c.example", "c.example", Optional.of("mx.b.example"), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly("mx b", Kind.MX, "b.example");
    }

    /** A domain rule is not an MX address rule: the all-zero address the domain lookup uses matches no MX block. */
    @Test
    void aBlockCoveringEveryAddressIsAnMxRuleNotADomainRule() {
        DestinationTable<String> table = DestinationTable.builder(DEFAULT).domain("a.example", "domain a")
            .mxAddress(block("0.0.0.0", 0), "any v4").build();
        assertThat(table.lookup("x@a.example", "a.example", Optional.empty(), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly("domain a", Kind.DOMAIN, "a.example");
        assertThat(table.lookup("x@b.example", "b.example", Optional.of("mx.b.example"), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly("any v4", Kind.MX, "0.0.0.0/0");
        assertThat(table.lookup("x@b.example", "b.example", Optional.of("mx.b.example"), bytes("2001:db8::1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly(DEFAULT, Kind.DEFAULT, "default");
    }

    /** An empty MX name (an address literal written as a name) selects no host rule and falls through to the address. */
    @Test
    void anEmptyMxNameFallsThroughToTheAddress() {
        DestinationTable<String> table = DestinationTable.builder(DEFAULT).mxHost("example", "tld").mxAddress(block("192.0.2.0", 24), "doc").build();
        assertThat(table.lookup("x@[192.0.2.1]", "[192.0.2.1]", Optional.of(""), bytes("192.0.2.1")))
            .extracting(Match::rule, Match::kind, Match::key).containsExactly("doc", Kind.MX, "192.0.2.0/24");
        assertThat(table.lookup("x@[198.51.100.1]", "[198.51.100.1]", Optional.of(""), bytes("198.51.100.1")))
            .extracting(Match::rule, Match::kind).containsExactly(DEFAULT, Kind.DEFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ceo@partner.example | RECIPIENT | recipient ceo@partner.example",
        "cfo@partner.example | DOMAIN    | domain partner.example",
        "x@customer.example  | MX        | mx 192.0.2.0/24",
        "x@nowhere.example   | DEFAULT   | default",
    })
    void aMatchSaysWhichEntryApplied(String recipient, Kind kind, String shown) {
        String domain = recipient.substring(recipient.indexOf('@') + 1);
        Match<String> match = TABLE.lookup(recipient, domain, Optional.of("mx." + domain), bytes(kind == Kind.DEFAULT ? "203.0.113.1" : "192.0.2.9"));
        assertThat(match.kind()).isEqualTo(kind);
        assertThat(match).hasToString(shown);
    }

    @Test
    void anMxNameMatchSaysMx() {
        assertThat(TABLE.lookup("x@customer.example", "customer.example", Optional.of("smtp.hoster.net"), bytes("203.0.113.1")))
            .hasToString("mx hoster.net");
    }

    @Test
    void theDefaultMatchIsKeyedDefault() {
        Match<String> match = DestinationTable.builder(DEFAULT).build().lookup("x@a.example", "a.example", Optional.of("mx.a.example"),
            bytes("2001:db8::1"));
        assertThat(match).extracting(Match::rule, Match::kind, Match::key, Match::toString)
            .containsExactly(DEFAULT, Kind.DEFAULT, "default", "default");
    }

    @Test
    void recipientRuleIsTheAddressOwnRuleOnly() {
        assertThat(TABLE.recipientRule("ceo@partner.example")).contains("ceo");
        assertThat(TABLE.recipientRule("Ceo@Partner.EXAMPLE")).contains("ceo");
        assertThat(TABLE.recipientRule("audit@other.example")).contains("audit");
        assertThat(TABLE.recipientRule("cfo@partner.example")).as("a domain rule is not the recipient's own").isEmpty();
        assertThat(TABLE.recipientRule("ceo@sales.partner.example")).as("the address, not its parent domains").isEmpty();
        assertThat(TABLE.recipientRule("ceo")).isEmpty();
    }

    @Test
    void countsItsKeysAndKeepsItsDefault() {
        assertThat(TABLE).extracting(DestinationTable::size, DestinationTable::defaultRule).containsExactly(13, DEFAULT);
        assertThat(DestinationTable.builder(DEFAULT).build().size()).isZero();
    }

    static Stream<Arguments> duplicates() {
        return Stream.of(
            duplicate("the same recipient", b -> b.recipient("ceo@partner.example", "a").recipient("ceo@partner.example", "b"),
                "recipient ceo@partner.example has two rules"),
            duplicate("a recipient in another case, with blanks", b -> b.recipient("ceo@partner.example", "a").recipient(" CEO@Partner.Example ", "b"),
                "recipient ceo@partner.example has two rules"),
            duplicate("the same domain", b -> b.domain("partner.example", "a").domain("Partner.Example.", "b"),
                "host partner.example has two rules"),
            duplicate("the same MX name", b -> b.mxHost("mx.partner.example", "a").mxHost("MX.partner.example", "b"),
                "host mx.partner.example has two rules"),
            duplicate("the same MX block", b -> b.mxAddress(AddressBlock.of(bytes("10.1.0.0"), 16, "10.1"), "a").mxAddress(block("10.1.0.0", 16), "b"),
                "address block 10.1.0.0/16 has two rules (also written 10.1)"),
            duplicate("an empty domain", b -> b.domain("", "a"), "empty host name"),
            duplicate("an empty MX name", b -> b.mxHost(".", "a"), "empty host name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void duplicates(String name, Consumer<Builder<String>> entries, String message) {
        assertThatThrownBy(() -> entries.accept(DestinationTable.builder(DEFAULT)))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    /** The same name may be a recipient domain and an MX host: they are different keys. */
    @Test
    void theSameNameMayBeADomainAndAnMxHost() {
        DestinationTable<String> table = DestinationTable.builder(DEFAULT).domain("a.example", "as domain").mxHost("a.example", "as mx").build();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.lookup("x@a.example", "a.example", Optional.of("mx.a.example"), bytes("192.0.2.1")).rule()).isEqualTo("as domain");
        assertThat(table.lookup("x@b.example", "b.example", Optional.of("mx.a.example"), bytes("192.0.2.1")).rule()).isEqualTo("as mx");
    }

    @Test
    void nullRulesAreRefused() {
        assertThatThrownBy(() -> DestinationTable.builder(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DestinationTable.builder(DEFAULT).recipient("a@b.example", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DestinationTable.builder(DEFAULT).domain("b.example", null)).isInstanceOf(NullPointerException.class);
    }

    private static Arguments duplicate(String name, Consumer<Builder<String>> entries, String message) {
        return Arguments.of(name, entries, message);
    }
}
