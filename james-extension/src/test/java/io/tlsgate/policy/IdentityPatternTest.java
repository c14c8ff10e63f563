package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.tlsgate.policy.IdentityPattern.Kind;

class IdentityPatternTest {

    @ParameterizedTest(name = "{0} {1} ~ {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        // exact: the whole value, ignoring case
        "EXACT | mx.partner.example       | mx.partner.example          | true",
        "EXACT | MX.Partner.Example       | mx.PARTNER.example          | true",
        "EXACT | mx.partner.example       | mx.partner.example.evil     | false",
        "EXACT | mx.partner.example       | evil-mx.partner.example     | false",
        "EXACT | mx.partner.example       | mx.partner                  | false",
        "EXACT | mx.*                     | mx.partner.example          | false",
        "EXACT | mx.*                     | MX.*                        | true",
        "EXACT | Foo, Inc                 | foo, inc                    | true",
        // glob: * any run (dots included), ? one character, the rest literal, whole value, ignoring case
        "GLOB  | *.partner.example        | mx.partner.example          | true",
        "GLOB  | *.partner.example        | a.b.partner.example         | true",
        "GLOB  | *.partner.example        | MX.PARTNER.EXAMPLE          | true",
        "GLOB  | *.partner.example        | partner.example             | false",
        "GLOB  | *.partner.example        | mx.partner.example.evil     | false",
        "GLOB  | *.partner.example        | mx.otherpartner.example     | false",
        "GLOB  | mx?.partner.example      | mx1.partner.example         | true",
        "GLOB  | mx?.partner.example      | mx.partner.example          | false",
        "GLOB  | mx?.partner.example      | mx12.partner.example        | false",
        "GLOB  | mx*                      | mx                          | true",
        "GLOB  | a.b                      | axb                         | false",
        "GLOB  | a+b(c)[d]                | A+B(C)[D]                   | true",
        "GLOB  | a+b                      | aab                         | false",
        "GLOB  | CN=*,O=Partner           | CN=Partner CA,O=Partner     | true",
        "GLOB  | CN=*,O=Partner           | CN=Partner CA,O=Partner2    | false",
        // regex: Java syntax, whole value, ignoring case
        "REGEX | mx[0-9]+\\.partner\\.example | MX12.partner.example    | true",
        "REGEX | mx[0-9]+\\.partner\\.example | mx.partner.example      | false",
        "REGEX | mx[0-9]+\\.partner\\.example | mx1.partner.example.evil | false",
        "REGEX | mx[0-9]+\\.partner\\.example | evil-mx1.partner.example | false",
        "REGEX | partner                      | mx.partner.example       | false",
        "REGEX | .*partner.*                  | mx.partner.example       | true",
        "REGEX | mx.partner.example           | mxXpartnerXexample       | true",
        "REGEX | (mx)?smtp\\.partner\\.example | SMTP.partner.example   | true",
    })
    void matches(Kind kind, String pattern, String value, boolean matches) {
        assertThat(create(kind).apply(pattern).matches(value)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "EXACT | ' mx.partner.example '   | mx.partner.example",
        "GLOB  | '*.partner.example'      | glob:*.partner.example",
        "REGEX | 'mx\\d\\.partner\\.example ' | regex:mx\\d\\.partner\\.example",
    })
    void showsItsKindAndTrimmedText(Kind kind, String pattern, String shown) {
        IdentityPattern created = create(kind).apply(pattern);
        assertThat(created).extracting(IdentityPattern::kind, IdentityPattern::text, IdentityPattern::toString)
            .containsExactly(kind, pattern.trim(), shown);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void trimmedTextIsWhatMatches(Kind kind) {
        assertThat(create(kind).apply("  mx.partner.example\t").matches("mx.partner.example")).isTrue();
    }

    @ParameterizedTest(name = "{0} \"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "EXACT | ''", "EXACT | '   '", "GLOB | ''", "GLOB | ' \t '", "REGEX | ''", "REGEX | ' '",
    })
    void anEmptyPatternIsRefused(Kind kind, String pattern) {
        assertThatThrownBy(() -> create(kind).apply(pattern)).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("empty pattern");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noPatternIsRefused(Kind kind) {
        assertThatThrownBy(() -> create(kind).apply(null)).isExactlyInstanceOf(NullPointerException.class).hasMessage("pattern");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "mx(              | Unclosed group",
        "*.partner        | Dangling meta character '*'",
        "[ab              | Unclosed character class",
        "[b-a]            | Illegal character range",
        "a{2,1}           | Illegal repetition range",
    })
    void anInvalidRegexIsRefusedWithTheReason(String regex, String reason) {
        assertThatThrownBy(() -> IdentityPattern.regex(regex)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("not a valid regular expression: " + reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mx(", "*.partner", "[ab", "a{2,1}"})
    void whatIsNotARegexIsAValidGlob(String text) {
        assertThat(IdentityPattern.glob(text).matches(text)).isTrue();
    }

    private static Function<String, IdentityPattern> create(Kind kind) {
        switch (kind) {
            case EXACT:
                return IdentityPattern::exact;
            case GLOB:
                return IdentityPattern::glob;
            case REGEX:
                return IdentityPattern::regex;
            default:
                throw new IllegalArgumentException(kind.name());
        }
    }
}
