package io.tlsgate.policy;

import java.util.Objects;

import javax.security.auth.x500.X500Principal;

/**
 * An X.500 distinguished name with its display form (RFC 4514, as certificates print it) and the
 * canonical form used for exact comparison, so that "CN=a, O=B" and "cn=A,o=b" are the same name.
 */
public final class DistinguishedName {
    private final String display;
    private final String canonical;

    private DistinguishedName(String display, String canonical) {
        this.display = display;
        this.canonical = canonical;
    }

    public static DistinguishedName of(X500Principal principal) {
        return new DistinguishedName(principal.getName(X500Principal.RFC2253), principal.getName(X500Principal.CANONICAL));
    }

    /**
     * Parses an RFC 4514 string such as "CN=Partner CA,O=Partner".
     *
     * @throws IllegalArgumentException when the text is not a distinguished name
     */
    public static DistinguishedName parse(String text) {
        return of(new X500Principal(text));
    }

    public String display() {
        return display;
    }

    public String canonical() {
        return canonical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistinguishedName && ((DistinguishedName) o).canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return Objects.hash(canonical);
    }

    @Override
    public String toString() {
        return display;
    }
}
