package io.tlsgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityPattern;

/**
 * Reads certificate identity elements ({@code <subjectCn>}, {@code <subjectDn>}, {@code <issuerDn>},
 * {@code <dnsName>}, each with {@code match="exact|glob|regex"}) and pins ({@code <pin of="spki|certificate">}),
 * shared by rules and relay grants.
 */
final class IdentityReader {
    static final String MATCH = "match";
    static final String PIN = "pin";
    static final String OF = "of";

    /** In the order constraints are checked, so that a refusal always names the same constraint. */
    static final Map<String, IdentityConstraint.Field> FIELDS;

    static {
        Map<String, IdentityConstraint.Field> fields = new LinkedHashMap<>();
        fields.put("subjectCn", IdentityConstraint.Field.SUBJECT_CN);
        fields.put("subjectDn", IdentityConstraint.Field.SUBJECT_DN);
        fields.put("issuerDn", IdentityConstraint.Field.ISSUER_DN);
        fields.put("dnsName", IdentityConstraint.Field.DNS_NAME);
        FIELDS = java.util.Collections.unmodifiableMap(fields);
    }

    /** Attributes the identity and pin elements take. */
    static final Map<String, Set<String>> ATTRIBUTES = Map.of(
        "subjectCn", Set.of(MATCH), "subjectDn", Set.of(MATCH), "issuerDn", Set.of(MATCH), "dnsName", Set.of(MATCH), PIN, Set.of(OF));

    private IdentityReader() {
    }

    static List<IdentityConstraint> constraints(Map<String, List<ConfigElement>> children) throws PolicyConfigurationException {
        List<IdentityConstraint> constraints = new ArrayList<>();
        for (Map.Entry<String, IdentityConstraint.Field> field : FIELDS.entrySet()) {
            List<ConfigElement> elements = children.getOrDefault(field.getKey(), List.of());
            if (!elements.isEmpty()) {
                constraints.add(constraint(field.getValue(), elements));
            }
        }
        return constraints;
    }

    static List<CertificatePin> pins(Map<String, List<ConfigElement>> children) throws PolicyConfigurationException {
        List<CertificatePin> pins = new ArrayList<>();
        for (ConfigElement element : children.getOrDefault(PIN, List.of())) {
            String of = element.attribute(OF)
                .orElseThrow(() -> element.error("needs of=\"spki\" (a digest of the public key) or of=\"certificate\""
                    + " (a digest of the whole certificate)"));
            CertificatePin.Of kind;
            if (of.equalsIgnoreCase("spki")) {
                kind = CertificatePin.Of.SPKI;
            } else if (of.equalsIgnoreCase("certificate")) {
                kind = CertificatePin.Of.CERTIFICATE;
            } else {
                throw element.error("of=\"" + of + "\" is not one of spki, certificate");
            }
            try {
                pins.add(CertificatePin.parse(kind, element.text()));
            } catch (IllegalArgumentException e) {
                throw element.error(e.getMessage());
            }
        }
        return pins;
    }

    private static IdentityConstraint constraint(IdentityConstraint.Field field, List<ConfigElement> elements)
            throws PolicyConfigurationException {
        List<IdentityPattern> patterns = new ArrayList<>();
        for (ConfigElement element : elements) {
            patterns.add(pattern(element));
        }
        try {
            return new IdentityConstraint(field, patterns);
        } catch (IllegalArgumentException e) {
            // Only an exact distinguished name can fail here; point at the elements of this field.
            throw elements.get(0).error("not a distinguished name (" + e.getMessage() + "); write it as RFC 4514,"
                + " e.g. CN=Partner CA,O=Partner,C=DE");
        }
    }

    private static IdentityPattern pattern(ConfigElement element) throws PolicyConfigurationException {
        String kind = element.attribute(MATCH).orElse("exact").toLowerCase(Locale.ROOT);
        String text = element.text();
        try {
            switch (kind) {
                case "exact":
                    return IdentityPattern.exact(text);
                case "glob":
                    return IdentityPattern.glob(text);
                case "regex":
                    return IdentityPattern.regex(text);
                default:
                    throw element.error("match=\"" + element.attribute(MATCH).orElse("") + "\" is not one of exact, glob, regex");
            }
        } catch (IllegalArgumentException e) {
            throw element.error("'" + text + "': " + e.getMessage());
        }
    }
}
