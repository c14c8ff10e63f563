package io.tlsgate.policy;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A constraint on one identity field of the peer's own certificate: the field must match at least one of
 * the accepted patterns. Distinguished names given as exact values compare in canonical form.
 */
public final class IdentityConstraint {

    public enum Field {
        SUBJECT_CN("subject CN"),
        SUBJECT_DN("subject DN"),
        ISSUER_DN("issuer DN"),
        DNS_NAME("subjectAltName DNS name");

        private final String label;

        Field(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        boolean isDistinguishedName() {
            return this == SUBJECT_DN || this == ISSUER_DN;
        }
    }

    private final Field field;
    private final List<IdentityPattern> accepted;
    private final List<String> displayed;

    /**
     * @throws IllegalArgumentException when no pattern is given, or an exact distinguished name does not parse
     */
    public IdentityConstraint(Field field, List<IdentityPattern> accepted) {
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("no accepted value for " + field.label());
        }
        this.field = field;
        this.accepted = accepted.stream()
            .map(p -> field.isDistinguishedName() && p.kind() == IdentityPattern.Kind.EXACT
                ? IdentityPattern.exact(DistinguishedName.parse(p.text()).canonical())
                : p)
            .collect(Collectors.toUnmodifiableList());
        this.displayed = accepted.stream().map(IdentityPattern::toString).collect(Collectors.toUnmodifiableList());
    }

    public Field field() {
        return field;
    }

    /** Empty when the certificate satisfies the constraint, otherwise why not. */
    public Optional<String> mismatch(PeerCertificate certificate) {
        for (IdentityPattern pattern : accepted) {
            for (String candidate : valuesOf(certificate, pattern)) {
                if (pattern.matches(candidate)) {
                    return Optional.empty();
                }
            }
        }
        String required = displayed.size() == 1 ? displayed.get(0) : "one of " + displayed;
        if (field == Field.SUBJECT_CN && certificate.commonNames().isEmpty()
            || field == Field.DNS_NAME && certificate.dnsNames().isEmpty()) {
            return Optional.of("certificate has no " + field.label() + ", " + required + " required");
        }
        return Optional.of(field.label() + " " + shown(certificate) + " does not match " + required);
    }

    private List<String> valuesOf(PeerCertificate certificate, IdentityPattern pattern) {
        switch (field) {
            case SUBJECT_CN:
                return certificate.commonNames();
            case SUBJECT_DN:
                return List.of(dnValue(certificate.subject(), pattern));
            case ISSUER_DN:
                return List.of(dnValue(certificate.issuer(), pattern));
            case DNS_NAME:
                return certificate.dnsNames();
            default:
                throw new IllegalStateException(field.name());
        }
    }

    /** Exact patterns hold canonical names; globs and expressions are written against the display form. */
    private static String dnValue(DistinguishedName name, IdentityPattern pattern) {
        return pattern.kind() == IdentityPattern.Kind.EXACT ? name.canonical() : name.display();
    }

    private String shown(PeerCertificate certificate) {
        switch (field) {
            case SUBJECT_CN:
                return oneOrList(certificate.commonNames());
            case SUBJECT_DN:
                return "\"" + certificate.subject().display() + "\"";
            case ISSUER_DN:
                return "\"" + certificate.issuer().display() + "\"";
            case DNS_NAME:
                return oneOrList(certificate.dnsNames());
            default:
                throw new IllegalStateException(field.name());
        }
    }

    private static String oneOrList(List<String> values) {
        return values.size() == 1 ? values.get(0) : values.toString();
    }

    @Override
    public String toString() {
        return field.label() + " " + (displayed.size() == 1 ? displayed.get(0) : displayed.toString());
    }
}
