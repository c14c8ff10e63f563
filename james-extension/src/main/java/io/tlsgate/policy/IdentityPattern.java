package io.tlsgate.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One accepted value of a certificate identity field: an exact value, a glob ("*" any run of characters,
 * "?" one character) or a Java regular expression. All comparisons ignore case; globs and expressions
 * must match the whole value.
 */
public final class IdentityPattern {

    public enum Kind { EXACT, GLOB, REGEX }

    private final Kind kind;
    private final String text;
    private final Pattern pattern;

    private IdentityPattern(Kind kind, String text, Pattern pattern) {
        this.kind = kind;
        this.text = text;
        this.pattern = pattern;
    }

    public static IdentityPattern exact(String value) {
        return new IdentityPattern(Kind.EXACT, requireText(value), null);
    }

    public static IdentityPattern glob(String glob) {
        String text = requireText(glob);
        StringBuilder regex = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new IdentityPattern(Kind.GLOB, text, Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL));
    }

    /** @throws IllegalArgumentException when the expression does not compile */
    public static IdentityPattern regex(String regex) {
        String text = requireText(regex);
        try {
            return new IdentityPattern(Kind.REGEX, text, Pattern.compile(text, Pattern.CASE_INSENSITIVE));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription(), e);
        }
    }

    private static String requireText(String value) {
        Objects.requireNonNull(value, "pattern");
        if (value.isBlank()) {
            throw new IllegalArgumentException("empty pattern");
        }
        return value.trim();
    }

    public Kind kind() {
        return kind;
    }

    public String text() {
        return text;
    }

    public boolean matches(String value) {
        if (kind == Kind.EXACT) {
            return text.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT));
        }
        return pattern.matcher(value).matches();
    }

    @Override
    public String toString() {
        return kind == Kind.EXACT ? text : kind.name().toLowerCase(Locale.ROOT) + ":" + text;
    }
}
