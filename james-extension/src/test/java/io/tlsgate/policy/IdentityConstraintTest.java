package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.certificate;
import static io.tlsgate.policy.IdentityPattern.exact;
import static io.tlsgate.policy.IdentityPattern.glob;
import static io.tlsgate.policy.IdentityPattern.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.IdentityConstraint.Field;

class IdentityConstraintTest {
    private static final PeerCertificate PARTNER = certificate("CN=mx.partner.example,O=Partner,C=DE", "mx.partner.example", "partner.example");
    private static final PeerCertificate TWO_CNS = certificate("CN=mx1.partner.example,CN=mx2.partner.example,O=Partner", "mx1.partner.example");
    private static final PeerCertificate COMMA_CN = certificate("CN=Foo\\, Inc,O=Foo", "mx.foo.example");
    private static final PeerCertificate NO_CN = certificate("O=Partner,C=DE", "mx.partner.example");
    private static final PeerCertificate NO_SAN = certificate("CN=mx.partner.example,O=Partner");
    private static final PeerCertificate TWO_SPACES = certificate("CN=Partner  CA,O=Partner");
    private static final PeerCertificate MULTI_VALUED = certificate("OU=Mail+CN=mx.partner.example,O=Partner");
    private static final String PARTNER_DN = "\"CN=mx.partner.example,O=Partner,C=DE\"";

    static Stream<Arguments> constraints() {
        return Stream.of(
            // subject CN: any of the certificate's CNs against any accepted value
            matches(Field.SUBJECT_CN, PARTNER, exact("MX.PARTNER.EXAMPLE")),
            matches(Field.SUBJECT_CN, PARTNER, exact("a.example"), glob("*.partner.example")),
            matches(Field.SUBJECT_CN, TWO_CNS, exact("mx2.partner.example")),
            matches(Field.SUBJECT_CN, COMMA_CN, exact("foo, inc")),
            matches(Field.SUBJECT_CN, COMMA_CN, regex("foo, (inc|ltd)")),
            mismatch(Field.SUBJECT_CN, PARTNER, "subject CN mx.partner.example does not match mx.other.example", exact("mx.other.example")),
            mismatch(Field.SUBJECT_CN, PARTNER, "subject CN mx.partner.example does not match one of [a.example, b.example]",
                exact("a.example"), exact("b.example")),
            mismatch(Field.SUBJECT_CN, PARTNER,
                "subject CN mx.partner.example does not match one of [glob:*.other.example, regex:mx\\d+\\.partner\\.example]",
                glob("*.other.example"), regex("mx\\d+\\.partner\\.example")),
            mismatch(Field.SUBJECT_CN, TWO_CNS, "subject CN [mx1.partner.example, mx2.partner.example] does not match mx3.partner.example",
                exact("mx3.partner.example")),
            mismatch(Field.SUBJECT_CN, COMMA_CN, "subject CN Foo, Inc does not match Foo", exact("Foo")),
            mismatch(Field.SUBJECT_CN, NO_CN, "certificate has no subject CN, mx.partner.example required", exact("mx.partner.example")),
            mismatch(Field.SUBJECT_CN, NO_CN, "certificate has no subject CN, one of [a.example, glob:*.example] required",
                exact("a.example"), glob("*.example")),

            // subject DN: exact compares canonical forms; glob and regex see the RFC 2253 display form
            matches(Field.SUBJECT_DN, PARTNER, exact("cn=MX.partner.example, o=partner, c=de")),
            matches(Field.SUBJECT_DN, PARTNER, exact("CN=mx.partner.example,O=Partner,C=DE")),
            matches(Field.SUBJECT_DN, PARTNER, exact("  CN = mx.partner.example ,  O = Partner , C = DE ")),
            matches(Field.SUBJECT_DN, PARTNER, glob("CN=*.partner.example,O=Partner,C=DE")),
            matches(Field.SUBJECT_DN, PARTNER, glob("cn=*,o=partner,c=de")),
            matches(Field.SUBJECT_DN, PARTNER, regex("CN=[^,]+,O=Partner,C=DE")),
            matches(Field.SUBJECT_DN, PARTNER, exact("CN=other,O=Other"), glob("*,O=Partner,C=DE")),
            matches(Field.SUBJECT_DN, COMMA_CN, exact("cn=foo\\, inc, o=foo")),
            matches(Field.SUBJECT_DN, COMMA_CN, glob("CN=Foo\\, Inc,*")),
            matches(Field.SUBJECT_DN, COMMA_CN, exact("CN=\"Foo, Inc\",O=Foo")),
            matches(Field.SUBJECT_DN, TWO_SPACES, exact("CN=Partner CA,O=Partner")),
            matches(Field.SUBJECT_DN, MULTI_VALUED, exact("CN=mx.partner.example+OU=Mail,O=Partner")),
            mismatch(Field.SUBJECT_DN, TWO_SPACES, "subject DN \"CN=Partner  CA,O=Partner\" does not match glob:CN=Partner CA,*",
                glob("CN=Partner CA,*")),
            mismatch(Field.SUBJECT_DN, MULTI_VALUED,
                "subject DN \"OU=Mail+CN=mx.partner.example,O=Partner\" does not match glob:CN=mx.partner.example+*",
                glob("CN=mx.partner.example+*")),
            mismatch(Field.SUBJECT_DN, PARTNER, "subject DN " + PARTNER_DN + " does not match CN=mx.partner.example,O=Partner",
                exact("CN=mx.partner.example,O=Partner")),
            mismatch(Field.SUBJECT_DN, PARTNER, "subject DN " + PARTNER_DN + " does not match C=DE,O=Partner,CN=mx.partner.example",
                exact("C=DE,O=Partner,CN=mx.partner.example")),
            mismatch(Field.SUBJECT_DN, PARTNER, "subject DN " + PARTNER_DN + " does not match glob:CN=*.partner.example, O=Partner, C=DE",
                glob("CN=*.partner.example, O=Partner, C=DE")),
            mismatch(Field.SUBJECT_DN, PARTNER, "subject DN " + PARTNER_DN + " does not match regex:O=Partner", regex("O=Partner")),
            mismatch(Field.SUBJECT_DN, COMMA_CN, "subject DN \"CN=Foo\\, Inc,O=Foo\" does not match glob:CN=Foo, Inc,*", glob("CN=Foo, Inc,*")),

            // issuer DN
            matches(Field.ISSUER_DN, PARTNER, exact("cn=partner ca, o=partner")),
            matches(Field.ISSUER_DN, PARTNER, regex("CN=Partner CA,.*")),
            mismatch(Field.ISSUER_DN, PARTNER, "issuer DN \"CN=Partner CA,O=Partner\" does not match CN=Other CA", exact("CN=Other CA")),
            mismatch(Field.ISSUER_DN, PARTNER, "issuer DN \"CN=Partner CA,O=Partner\" does not match one of [CN=Other CA, glob:CN=Partner]",
                exact("CN=Other CA"), glob("CN=Partner")),

            // subjectAltName DNS names: any of them; the CN is never used in their place
            matches(Field.DNS_NAME, PARTNER, exact("Partner.Example")),
            matches(Field.DNS_NAME, PARTNER, glob("*.partner.example")),
            mismatch(Field.DNS_NAME, PARTNER, "subjectAltName DNS name [mx.partner.example, partner.example] does not match other.example",
                exact("other.example")),
            mismatch(Field.DNS_NAME, NO_CN, "subjectAltName DNS name mx.partner.example does not match regex:mx\\d\\.partner\\.example",
                regex("mx\\d\\.partner\\.example")),
            mismatch(Field.DNS_NAME, NO_SAN, "certificate has no subjectAltName DNS name, mx.partner.example required", exact("mx.partner.example")),
            mismatch(Field.DNS_NAME, NO_SAN, "certificate has no subjectAltName DNS name, glob:*.partner.example required", glob("*.partner.example")));
    }

    @ParameterizedTest(name = "{0} {1} vs {2}: {3}")
    @MethodSource
    void constraints(Field field, List<IdentityPattern> accepted, PeerCertificate certificate, Optional<String> mismatch) {
        assertThat(new IdentityConstraint(field, accepted).mismatch(certificate)).isEqualTo(mismatch);
    }

    @ParameterizedTest
    @EnumSource(Field.class)
    void atLeastOneAcceptedValueIsNeeded(Field field) {
        assertThatThrownBy(() -> new IdentityConstraint(field, List.of())).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("no accepted value for " + field.label());
    }

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"SUBJECT_DN", "ISSUER_DN"})
    void anExactDistinguishedNameMustParse(Field field) {
        assertThatThrownBy(() -> new IdentityConstraint(field, List.of(exact("CN=ok"), exact("Partner CA"))))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("improperly specified input name: Partner CA");
    }

    @ParameterizedTest
    @EnumSource(value = Field.class, names = {"SUBJECT_CN", "DNS_NAME"})
    void otherFieldsTakeAnyExactText(Field field) {
        assertThat(new IdentityConstraint(field, List.of(exact("Partner CA"))).field()).isEqualTo(field);
    }

    @Test
    void globsAndExpressionsForDistinguishedNamesAreNotParsedAsNames() {
        assertThat(new IdentityConstraint(Field.ISSUER_DN, List.of(glob("Partner*"), regex("Partner.*"))).mismatch(PARTNER))
            .hasValue("issuer DN \"CN=Partner CA,O=Partner\" does not match one of [glob:Partner*, regex:Partner.*]");
    }

    @Test
    void showsTheValuesAsWritten() {
        assertThat(new IdentityConstraint(Field.SUBJECT_DN, List.of(exact("cn=a, o=b"), glob("CN=*,O=b"))))
            .hasToString("subject DN [cn=a, o=b, glob:CN=*,O=b]");
        assertThat(new IdentityConstraint(Field.DNS_NAME, List.of(exact("mx.a.example")))).hasToString("subjectAltName DNS name mx.a.example");
    }

    private static Arguments matches(Field field, PeerCertificate certificate, IdentityPattern... accepted) {
        return Arguments.of(field, List.of(accepted), certificate, Optional.empty());
    }

    private static Arguments mismatch(Field field, PeerCertificate certificate, String why, IdentityPattern... accepted) {
        return Arguments.of(field, List.of(accepted), certificate, Optional.of(why));
    }
}
