package io.tlsgate.pki;

import static io.tlsgate.pki.TestCertificates.certificate;
import static io.tlsgate.pki.TestCertificates.dns;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.Arrays;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 6125 name checks of server certificates: DNS names of the subjectAltName (a wildcard only as the whole left-most
 * label, one label deep, never over a public suffix), the common name only without DNS names, IP address SANs for
 * address literals; the MX host (level verify) or the recipient domain and its subdomains (level secure).
 */
class ServerNameTest {
    private static final String CA = "CN=Test CA,O=Test";

    @ParameterizedTest(name = "[{0}] names host {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        // exact names, any case, trailing dots on either side
        "mx.example.com                 | mx.example.com        | true",
        "mx.example.com                 | MX.Example.COM        | true",
        "MX.EXAMPLE.COM                 | mx.example.com        | true",
        "mx.example.com                 | mx.example.com.       | true",
        "mx.example.com.                | mx.example.com        | true",
        "mx.example.com                 | ' mx.example.com '    | true",
        "mx.example.com                 | example.com           | false",
        "mx.example.com                 | a.mx.example.com      | false",
        "mx.example.com                 | mx.example.co         | false",
        "mx.example.com                 | mx-example.com        | false",
        "mx.example.com                 | xmx.example.com       | false",
        // any of several names
        "www.example.com mx.example.com | mx.example.com        | true",
        "www.example.com mx.example.com | smtp.example.com      | false",
        // a wildcard: the whole left-most label, exactly one label
        "*.example.com                  | a.example.com         | true",
        "*.example.com                  | MX1.EXAMPLE.COM.      | true",
        "*.EXAMPLE.COM                  | mx.example.com        | true",
        "*.example.com.                 | mx.example.com        | true",
        "*.example.com                  | example.com           | false",
        "*.example.com                  | a.b.example.com       | false",
        "*.example.com                  | a.example.net         | false",
        "*.example.com                  | aexample.com          | false",
        "*.mx.example.com               | a.mx.example.com      | true",
        "*.mx.example.com               | mx.example.com        | false",
        "*.xn--bcher-kva.example        | mx.xn--bcher-kva.example | true",
        // partial and nested wildcards are not wildcards (RFC 6125 section 7.2, CA/B forum)
        "f*.example.com                 | foo.example.com       | false",
        "*oo.example.com                | foo.example.com       | false",
        "f*o.example.com                | foo.example.com       | false",
        "**.example.com                 | a.example.com         | false",
        "*.*.example.com                | a.b.example.com       | false",
        "a.*.example.com                | a.b.example.com       | false",
        "*.example.*                    | a.example.com         | false",
        "xn--*.example.com              | xn--bcher-kva.example.com | false",
        "*                              | localhost             | false",
        // no wildcard over a top-level domain or a public registry suffix
        "*.com                          | example.com           | false",
        "*.example                      | mx.example            | false",
        "*.co.uk                        | example.co.uk         | false",
        "*.com.au                       | example.com.au        | false",
        "*.example.co.uk                | mx.example.co.uk      | true",
        // a wildcard never matches literally, nor does a literal name act as a wildcard
        "*.example.com                  | *.example.com         | false",
        "example.com                    | mx.example.com        | false",
        // IDNs: the A-labels a certificate carries, compared without regard to case; a U-label does not match them
        "xn--bcher-kva.example          | XN--BCHER-KVA.EXAMPLE | true",
        "xn--bcher-kva.example          | bücher.example        | false",
    })
    void namesTheMxHost(String sans, String host, boolean matches) {
        assertThat(ServerName.host(host).matches(dnsNames(sans), CertificateIdentityReader.read(dnsNames(sans)))).isEqualTo(matches);
    }

    @ParameterizedTest(name = "[{0}] names domain {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        // the recipient domain itself or any subdomain of it (Postfix's nexthop and dot-nexthop)
        "example.com                    | example.com           | true",
        "EXAMPLE.COM.                   | Example.Com.          | true",
        "mx.example.com                 | example.com           | true",
        "a.b.mx.example.com             | example.com           | true",
        "www.other.com mx.example.com   | example.com           | true",
        "example.com                    | mx.example.com        | false",
        "com                            | example.com           | false",
        "badexample.com                 | example.com           | false",
        "example.com.evil               | example.com           | false",
        "mx.example.net                 | example.com           | false",
        // a wildcard names hosts one label below its base
        "*.example.com                  | example.com           | true",
        "*.mx.example.com               | example.com           | true",
        "*.example.com                  | sales.example.com     | true",
        "*.example.com                  | a.sales.example.com   | false",
        "*.sales.example.com            | example.com           | true",
        "*.example.com                  | example.net           | false",
        // the same refusals of malformed wildcards as for hosts
        "f*.example.com                 | example.com           | false",
        "*.*.example.com                | example.com           | false",
        "a.*.example.com                | example.com           | false",
        "*.com                          | com                   | false",
        "*.com                          | example.com           | false",
        "*.co.uk                        | co.uk                 | false",
        "*.co.uk                        | example.co.uk         | false",
    })
    void namesTheRecipientDomain(String sans, String domain, boolean matches) {
        assertThat(ServerName.domain(domain).matches(dnsNames(sans), CertificateIdentityReader.read(dnsNames(sans)))).isEqualTo(matches);
    }

    @ParameterizedTest(name = "CN {0}, SANs [{1}], host {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        // the common name counts only when there is no DNS name at all
        "mx.example.com   | -                | mx.example.com | true",
        "MX.Example.Com   | -                | mx.example.com | true",
        "*.example.com    | -                | mx.example.com | true",
        "*.com            | -                | example.com    | false",
        "mx.example.com   | www.example.com  | mx.example.com | false",
        "www.example.com  | mx.example.com   | mx.example.com | true",
        // an IP address SAN is no DNS name: the common name still counts
        "mx.example.com   | ip:192.0.2.25    | mx.example.com | true",
    })
    void theCommonNameIsAFallbackOnly(String cn, String sans, String host, boolean matches) {
        X509Certificate certificate = certificate("CN=" + cn + ",O=Test", CA, names(sans));
        assertThat(ServerName.host(host).matches(certificate, CertificateIdentityReader.read(certificate))).isEqualTo(matches);
        assertThat(ServerName.domain(host).matches(certificate, CertificateIdentityReader.read(certificate))).isEqualTo(matches);
    }

    @ParameterizedTest(name = "CN {0}, SANs [{1}], address {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "mx.example.com | ip:192.0.2.25                  | 192.0.2.25          | true",
        "mx.example.com | ip:192.0.2.24 ip:192.0.2.25    | 192.0.2.25          | true",
        "mx.example.com | ip:192.0.2.24                  | 192.0.2.25          | false",
        "mx.example.com | ip:2001:db8::25                | 2001:db8::25        | true",
        "mx.example.com | ip:2001:db8::25                | 2001:DB8:0:0:0:0:0:25 | true",
        "mx.example.com | ip:2001:db8::25                | 2001:db8::26        | false",
        "mx.example.com | ip:192.0.2.25                  | ::ffff:192.0.2.25   | true",
        // a DNS name or a common name that looks like an address is not an IP address SAN
        "mx.example.com | 192.0.2.25                     | 192.0.2.25          | false",
        "192.0.2.25     | -                              | 192.0.2.25          | false",
        "2001:db8::25   | -                              | 2001:db8::25        | false",
    })
    void anAddressLiteralMatchesIpAddressSansOnly(String cn, String sans, String address, boolean matches) {
        X509Certificate certificate = certificate("CN=" + cn + ",O=Test", CA, names(sans));
        assertThat(ServerName.host(address).matches(certificate, CertificateIdentityReader.read(certificate))).isEqualTo(matches);
    }

    @Test
    void anIpAddressSanDoesNotNameAHost() {
        X509Certificate certificate = certificate("CN=Mail Server,O=Test", CA, names("ip:192.0.2.25"));
        assertThat(ServerName.host("mx.example.com").matches(certificate, CertificateIdentityReader.read(certificate))).isFalse();
        assertThat(ServerName.domain("example.com").matches(certificate, CertificateIdentityReader.read(certificate))).isFalse();
    }

    @Test
    void noNameMatchesNothing() {
        X509Certificate certificate = certificate("O=Test", CA);
        assertThat(ServerName.host("mx.example.com").matches(certificate, CertificateIdentityReader.read(certificate))).isFalse();
    }

    /** An unknown (empty) name matches no certificate, not even one whose common name is empty. */
    @Test
    void anEmptyNameMatchesNothing() {
        X509Certificate emptyCn = certificate("CN=,O=Test", CA);
        assertThat(CertificateIdentityReader.read(emptyCn).commonNames()).containsExactly("");
        assertThat(ServerName.host("").matches(emptyCn, CertificateIdentityReader.read(emptyCn))).isFalse();
        assertThat(ServerName.host(".").matches(emptyCn, CertificateIdentityReader.read(emptyCn))).isFalse();
        assertThat(ServerName.domain(" ").matches(emptyCn, CertificateIdentityReader.read(emptyCn))).isFalse();
    }

    @Test
    void describesWhatItStandsFor() {
        assertThat(ServerName.host(" MX.Example.COM. ")).extracting(ServerName::name, ServerName::match, ServerName::describe, ServerName::toString)
            .containsExactly("mx.example.com", ServerName.Match.HOST, "MX host mx.example.com", "MX host mx.example.com");
        assertThat(ServerName.domain("Example.COM.")).extracting(ServerName::name, ServerName::match, ServerName::describe)
            .containsExactly("example.com", ServerName.Match.DOMAIN, "recipient domain example.com");
    }

    @Test
    void equalByNormalisedNameAndWhatItStandsFor() {
        assertThat(ServerName.host("MX.example.com.")).isEqualTo(ServerName.host("mx.example.com"))
            .hasSameHashCodeAs(ServerName.host("mx.example.com"));
        assertThat(ServerName.host("example.com")).isNotEqualTo(ServerName.domain("example.com"));
        assertThat(ServerName.domain("example.com")).isNotEqualTo(ServerName.domain("example.net"));
    }

    @Test
    void saysWhatItComparedWith() {
        X509Certificate both = certificate("CN=Mail,O=Test", CA, names("mx.example.com ip:192.0.2.25 www.example.com"));
        X509Certificate cnOnly = certificate("CN=mx.example.com,O=Test", CA);
        assertThat(ServerName.host("other.example").presented(both, CertificateIdentityReader.read(both)))
            .isEqualTo("[mx.example.com, www.example.com]");
        assertThat(ServerName.domain("other.example").presented(cnOnly, CertificateIdentityReader.read(cnOnly))).isEqualTo("[mx.example.com]");
        assertThat(ServerName.host("192.0.2.26").presented(both, CertificateIdentityReader.read(both))).isEqualTo("IP addresses [192.0.2.25]");
        assertThat(ServerName.host("192.0.2.26").presented(cnOnly, CertificateIdentityReader.read(cnOnly))).isEqualTo("IP addresses []");
    }

    private static X509Certificate dnsNames(String sans) {
        return certificate("CN=Not A Host Name,O=Test", CA, names(sans));
    }

    /** Blank-separated names; "ip:" marks an IP address SAN, "-" none at all. */
    private static GeneralName[] names(String sans) {
        if (sans == null || sans.equals("-")) {
            return new GeneralName[0];
        }
        return Arrays.stream(sans.trim().split("\\s+"))
            .map(s -> s.startsWith("ip:") ? new GeneralName(GeneralName.iPAddress, s.substring(3)) : dns(s))
            .toArray(GeneralName[]::new);
    }
}
