package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DistinguishedNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CN=A,O=B                  | CN=A,O=B                  | cn=a,o=b",
        "cn=a, o=b                 | CN=a,O=b                  | cn=a,o=b",
        "  CN = Partner CA ,O=P    | CN=Partner CA,O=P         | cn=partner ca,o=p",
        "CN=Foo\\, Inc,O=Foo       | CN=Foo\\, Inc,O=Foo       | cn=foo\\, inc,o=foo",
        "CN=a+OU=b,O=c             | CN=a+OU=b,O=c             | cn=a+ou=b,o=c",
        "CN=Partner  CA,O=P        | CN=Partner  CA,O=P        | cn=partner ca,o=p",
    })
    void hasADisplayAndACanonicalForm(String written, String display, String canonical) {
        DistinguishedName name = DistinguishedName.parse(written);
        assertThat(name).extracting(DistinguishedName::display, DistinguishedName::canonical, DistinguishedName::toString)
            .containsExactly(display, canonical, display);
    }

    @ParameterizedTest(name = "{0} = {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "cn=a, o=b          | CN=A,O=B        | true",
        "CN=Partner CA,O=P  | cn=partner  ca, o=p | true",
        "CN=a,O=b           | O=b,CN=a        | false",
        "CN=a,O=b           | CN=a,O=b,C=DE   | false",
        "CN=a,O=b           | CN=a,OU=b       | false",
    })
    void sameNameMeansSameCanonicalForm(String left, String right, boolean same) {
        DistinguishedName a = DistinguishedName.parse(left);
        DistinguishedName b = DistinguishedName.parse(right);
        assertThat(a.equals(b)).isEqualTo(same);
        assertThat(a.hashCode() == b.hashCode()).isEqualTo(same);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Partner CA", "CN", "CN=a,,O=b", "=a"})
    void textThatIsNoNameIsRefused(String text) {
        assertThatThrownBy(() -> DistinguishedName.parse(text)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(text);
    }
}
