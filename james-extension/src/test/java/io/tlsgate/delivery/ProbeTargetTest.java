package io.tlsgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A probe target is checked before anything reaches DNS or the network, with a message that says what is wrong. */
class ProbeTargetTest {

    private static String refusal(Runnable making) {
        Throwable thrown = catchThrowable(making::run);
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        return thrown.getMessage();
    }

    @Test
    void aDomainIsNormalized() {
        ProbeTarget target = ProbeTarget.domain(" Partner.Example. ", Optional.empty());
        assertThat(target.getKind()).isEqualTo(ProbeTarget.Kind.DOMAIN);
        assertThat(target.getDomain()).isEqualTo("partner.example");
        assertThat(target.getHost()).isNull();
        assertThat(target.getPort()).isEqualTo(25);
        assertThat(target.getRecipient()).isNull();
        assertThat(target.recipientDomain()).isEqualTo("partner.example");
        assertThat(target).hasToString("domain partner.example");
    }

    @Test
    void aDomainWithARecipientOfIt() {
        ProbeTarget target = ProbeTarget.domain("partner.example", Optional.of("Bob@Partner.Example"));
        assertThat(target.getRecipient()).isEqualTo("Bob@partner.example");
        assertThat(target).hasToString("domain partner.example recipient Bob@partner.example");
    }

    @Test
    void aRecipientOfAnotherDomainIsRefused() {
        assertThat(refusal(() -> ProbeTarget.domain("partner.example", Optional.of("bob@other.example"))))
            .isEqualTo("recipient bob@other.example is not an address of the domain partner.example: give a recipient of"
                + " partner.example, or no domain (the recipient's domain is probed)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exa mple.com|domain 'exa mple.com' is not a valid domain name",
        "-bad.example|domain '-bad.example' is not a valid domain name",
        "a..example|domain 'a..example' is not a valid domain name",
        "bad_.example|domain 'bad_.example' is not a valid domain name",
        "10.0.0.1|domain '10.0.0.1' is not a valid domain name",
        "bücher.example|domain 'bücher.example' is not a valid domain name: write an internationalized name in its ASCII form (xn--...)",
        "example.com;rm|domain 'example.com;rm' is not a valid domain name",
        ".|domain '.' is not a valid domain name",
    })
    void badDomainsAreRefused(String domain, String message) {
        assertThat(refusal(() -> ProbeTarget.domain(domain, Optional.empty()))).isEqualTo(message);
    }

    @Test
    void theAsciiFormOfAnInternationalizedNameIsANameLikeAnyOther() {
        assertThat(ProbeTarget.domain("xn--bcher-kva.example.", Optional.empty()).getDomain()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void aTooLongDomainIsRefused() {
        String domain = ("a".repeat(60) + ".").repeat(5) + "example";
        assertThat(refusal(() -> ProbeTarget.domain(domain, Optional.empty()))).isEqualTo("domain '" + domain + "' is not a valid domain name");
    }

    @Test
    void aMissingDomainIsRefused() {
        assertThat(refusal(() -> ProbeTarget.domain("  ", Optional.empty()))).isEqualTo("domain is missing");
        assertThat(refusal(() -> ProbeTarget.domain(null, Optional.empty()))).isEqualTo("domain is missing");
    }

    @Test
    void hostsAreNamesOrAddresses() {
        assertThat(ProbeTarget.host("MX.Partner.Example", 2525, Optional.empty()))
            .satisfies(t -> {
                assertThat(t.getKind()).isEqualTo(ProbeTarget.Kind.HOST);
                assertThat(t.getHost()).isEqualTo("mx.partner.example");
                assertThat(t.getPort()).isEqualTo(2525);
                assertThat(t.getDomain()).isNull();
                assertThat(t.recipientDomain()).isEmpty();
            })
            .hasToString("host mx.partner.example:2525");
        assertThat(ProbeTarget.host("192.0.2.7", 25, Optional.empty()).getHost()).isEqualTo("192.0.2.7");
        assertThat(ProbeTarget.host("[2001:DB8:0:0::1]", 25, Optional.empty())).hasToString("host [2001:db8::1]:25");
        assertThat(ProbeTarget.host("2001:db8::1", 25, Optional.empty()).getHost()).isEqualTo("2001:db8::1");
        assertThat(ProbeTarget.host("mx.hosting.example", 25, Optional.of("bob@partner.example")).recipientDomain())
            .isEqualTo("partner.example");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|port 0 is out of range: give 1 to 65535",
        "65536|port 65536 is out of range: give 1 to 65535",
        "-25|port -25 is out of range: give 1 to 65535",
    })
    void portsOutOfRangeAreRefused(int port, String message) {
        assertThat(refusal(() -> ProbeTarget.host("mx.example", port, Optional.empty()))).isEqualTo(message);
    }

    @Test
    void badHostsAreRefused() {
        assertThat(refusal(() -> ProbeTarget.host("mx example", 25, Optional.empty()))).isEqualTo("host 'mx example' is not a valid domain name");
        assertThat(refusal(() -> ProbeTarget.host("300.1.1.1:25", 25, Optional.empty())))
            .isEqualTo("host '300.1.1.1:25' is not a valid domain name");
        assertThat(refusal(() -> ProbeTarget.host("", 25, Optional.empty()))).isEqualTo("host is missing: give a host name or an IP address");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bob|recipient 'bob' is not a valid address: ",
        "bob@|recipient 'bob@' is not a valid address: ",
        "bob@@x.example|recipient 'bob@@x.example' is not a valid address: ",
        "bob@[192.0.2.1]|recipient 'bob@[192.0.2.1]' has an address literal as domain: give a domain name",
    })
    void badRecipientsAreRefused(String recipient, String message) {
        assertThat(refusal(() -> ProbeTarget.host("mx.example", 25, Optional.of(recipient)))).startsWith(message);
    }

    @Test
    void requestParametersNameOneTarget() {
        assertThat(ProbeTarget.of("partner.example", null, null, null)).isEqualTo(ProbeTarget.domain("partner.example", Optional.empty()));
        assertThat(ProbeTarget.of(null, "mx.partner.example", null, null)).isEqualTo(ProbeTarget.host("mx.partner.example", 25, Optional.empty()));
        assertThat(ProbeTarget.of(null, "mx.partner.example", "2525", "bob@partner.example"))
            .isEqualTo(ProbeTarget.host("mx.partner.example", 2525, Optional.of("bob@partner.example")));
        // A recipient alone: its domain is probed.
        assertThat(ProbeTarget.of(null, null, null, "bob@partner.example"))
            .isEqualTo(ProbeTarget.domain("partner.example", Optional.of("bob@partner.example")));
    }

    @Test
    void requestParametersThatDoNotNameOneTargetAreRefused() {
        assertThat(refusal(() -> ProbeTarget.of(null, null, null, null))).isEqualTo("nothing to probe: give domain, host (and port) or recipient");
        assertThat(refusal(() -> ProbeTarget.of("a.example", "mx.a.example", null, null))).isEqualTo("give either domain or host, not both");
        assertThat(refusal(() -> ProbeTarget.of("a.example", null, "2525", null)))
            .isEqualTo("port applies to host only (the MX hosts of a domain are probed on port 25)");
        assertThat(refusal(() -> ProbeTarget.of(null, "mx.a.example", "smtp", null))).isEqualTo("port 'smtp' is not a number: give 1 to 65535");
        assertThat(refusal(() -> ProbeTarget.of(null, "mx.a.example", "99999", null))).isEqualTo("port 99999 is out of range: give 1 to 65535");
    }
}
