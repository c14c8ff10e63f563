package io.tlsgate.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityPattern;
import io.tlsgate.policy.TlsProtocol;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads one rule element ({@code <default>} or {@code <client>}) into a {@link TlsRequirement}.
 *
 * <pre>
 *   &lt;level&gt;none | encrypt | verify&lt;/level&gt;
 *   &lt;minCipherBits&gt;0..256&lt;/minCipherBits&gt;
 *   &lt;minProtocol&gt;TLSv1.2&lt;/minProtocol&gt;
 *   &lt;failure&gt;temporary | permanent&lt;/failure&gt;          (454 4.7.0 | 554 5.7.0)
 *   &lt;missingTls&gt;permanent | temporary&lt;/missingTls&gt;     (530 5.7.0 | 454 4.7.0)
 *   &lt;afterRefusal&gt;refuse | disconnect&lt;/afterRefusal&gt;
 *   &lt;subjectCn|subjectDn|issuerDn|dnsName match="exact|glob|regex"&gt;value&lt;/...&gt;   (repeatable)
 * </pre>
 */
final class RuleReader {
    static final String LEVEL = "level";
    static final String MIN_CIPHER_BITS = "minCipherBits";
    static final String MIN_PROTOCOL = "minProtocol";
    static final String FAILURE = "failure";
    static final String MISSING_TLS = "missingTls";
    static final String AFTER_REFUSAL = "afterRefusal";
    static final String MATCH = "match";

    private static final Map<String, IdentityConstraint.Field> IDENTITY_ELEMENTS = Map.of(
        "subjectCn", IdentityConstraint.Field.SUBJECT_CN,
        "subjectDn", IdentityConstraint.Field.SUBJECT_DN,
        "issuerDn", IdentityConstraint.Field.ISSUER_DN,
        "dnsName", IdentityConstraint.Field.DNS_NAME);

    static final List<String> ELEMENTS = List.of(LEVEL, MIN_CIPHER_BITS, MIN_PROTOCOL, FAILURE, MISSING_TLS, AFTER_REFUSAL,
        "subjectCn", "subjectDn", "issuerDn", "dnsName");

    private RuleReader() {
    }

    static TlsRequirement read(ConfigElement rule) throws PolicyConfigurationException {
        TlsRequirement.Builder builder = TlsRequirement.builder();
        Map<String, List<ConfigElement>> children = rule.childrenByName();
        for (Map.Entry<String, List<ConfigElement>> group : children.entrySet()) {
            ElementNames.requireKnown(group.getValue().get(0), ELEMENTS);
            if (!IDENTITY_ELEMENTS.containsKey(group.getKey()) && group.getValue().size() > 1) {
                throw group.getValue().get(1).error("is given twice in the same rule; keep one");
            }
        }
        for (ConfigElement element : rule.children()) {
            element.allowAttributes(IDENTITY_ELEMENTS.containsKey(element.name()) ? Set.of(MATCH) : Set.of());
            if (element.hasChildren()) {
                throw element.error("takes a value, not nested elements");
            }
        }
        ConfigElement element;
        if ((element = first(children, LEVEL)) != null) {
            builder.level(choice(element, TlsRequirement.Level.values()));
        }
        if ((element = first(children, MIN_CIPHER_BITS)) != null) {
            builder.minCipherBits(bits(element));
        }
        if ((element = first(children, MIN_PROTOCOL)) != null) {
            builder.minProtocol(protocol(element));
        }
        if ((element = first(children, FAILURE)) != null) {
            builder.failure(choice(element, TlsRequirement.Failure.values()));
        }
        if ((element = first(children, MISSING_TLS)) != null) {
            builder.missingTls(choice(element, TlsRequirement.Failure.values()));
        }
        if ((element = first(children, AFTER_REFUSAL)) != null) {
            builder.afterRefusal(choice(element, TlsRequirement.AfterRefusal.values()));
        }
        // In the fixed order of ELEMENTS (Map.of iterates in an order that changes from one JVM to the next), so
        // that a certificate failing several constraints always gets the same refusal text.
        for (String name : ELEMENTS) {
            List<ConfigElement> elements = children.getOrDefault(name, List.of());
            if (IDENTITY_ELEMENTS.containsKey(name) && !elements.isEmpty()) {
                builder.require(constraint(IDENTITY_ELEMENTS.get(name), elements));
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw rule.error(e.getMessage());
        }
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

    private static int bits(ConfigElement element) throws PolicyConfigurationException {
        String text = element.text();
        int bits;
        try {
            bits = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw element.error("'" + text + "' is not a whole number of bits between 0 and " + TlsRequirement.MAX_CIPHER_BITS);
        }
        if (bits < 0 || bits > TlsRequirement.MAX_CIPHER_BITS) {
            throw element.error(bits + " is out of range: cipher bits go from 0 to " + TlsRequirement.MAX_CIPHER_BITS
                + " (AES-256 and ChaCha20 give 256)");
        }
        return bits;
    }

    private static TlsProtocol protocol(ConfigElement element) throws PolicyConfigurationException {
        String text = element.text();
        Optional<TlsProtocol> protocol = TlsProtocol.fromJsseName(text);
        if (protocol.isEmpty()) {
            throw element.error("'" + text + "' is not a TLS protocol name; use one of "
                + Arrays.stream(TlsProtocol.values()).map(TlsProtocol::jsseName).collect(Collectors.joining(", ")));
        }
        return protocol.get();
    }

    private static <E extends Enum<E>> E choice(ConfigElement element, E[] values) throws PolicyConfigurationException {
        String text = element.text();
        for (E value : values) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw element.error("'" + text + "' is not one of "
            + Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    private static ConfigElement first(Map<String, List<ConfigElement>> children, String name) {
        List<ConfigElement> elements = children.get(name);
        return elements == null ? null : elements.get(0);
    }
}
