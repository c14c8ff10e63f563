package io.tlsgate.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.TlsProtocol;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads one rule element ({@code <default>} or {@code <client>}) into a {@link TlsRequirement}.
 *
 * <pre>
 *   &lt;level&gt;none | encrypt | fingerprint | verify&lt;/level&gt;
 *   &lt;minCipherBits&gt;0..256&lt;/minCipherBits&gt;
 *   &lt;minProtocol&gt;TLSv1.2&lt;/minProtocol&gt;
 *   &lt;failure&gt;temporary | permanent&lt;/failure&gt;          (454 4.7.0 | 554 5.7.0)
 *   &lt;missingTls&gt;permanent | temporary&lt;/missingTls&gt;     (530 5.7.0 | 454 4.7.0)
 *   &lt;afterRefusal&gt;refuse | disconnect&lt;/afterRefusal&gt;
 *   &lt;subjectCn|subjectDn|issuerDn|dnsName match="exact|glob|regex"&gt;value&lt;/...&gt;   (repeatable)
 *   &lt;pin of="spki|certificate"&gt;sha256 in hex or base64&lt;/pin&gt;                      (repeatable)
 *   &lt;acceptServerAuthOnly&gt;true | false&lt;/acceptServerAuthOnly&gt;
 *   &lt;minRsaBits&gt;2048&lt;/minRsaBits&gt;  &lt;minEcBits&gt;256&lt;/minEcBits&gt;
 *   &lt;revocation&gt;required | soft-fail | off&lt;/revocation&gt;
 * </pre>
 */
final class RuleReader {
    static final String LEVEL = "level";
    static final String MIN_CIPHER_BITS = "minCipherBits";
    static final String MIN_PROTOCOL = "minProtocol";
    static final String FAILURE = "failure";
    static final String MISSING_TLS = "missingTls";
    static final String AFTER_REFUSAL = "afterRefusal";
    static final String ACCEPT_SERVER_AUTH_ONLY = "acceptServerAuthOnly";
    static final String MIN_RSA_BITS = "minRsaBits";
    static final String MIN_EC_BITS = "minEcBits";
    static final String REVOCATION = "revocation";

    static final String CLIENT_CERTIFICATE = "clientCertificate";

    /** Elements of an inbound rule (a client's). */
    static final List<String> ELEMENTS;
    /** Elements of an outbound rule (a destination's): no afterRefusal or serverAuth leniency; our own certificate. */
    static final List<String> OUTBOUND_ELEMENTS;

    static {
        List<String> elements = new ArrayList<>(List.of(LEVEL, MIN_CIPHER_BITS, MIN_PROTOCOL, FAILURE, MISSING_TLS, AFTER_REFUSAL));
        elements.addAll(IdentityReader.FIELDS.keySet());
        elements.addAll(List.of(IdentityReader.PIN, ACCEPT_SERVER_AUTH_ONLY, MIN_RSA_BITS, MIN_EC_BITS, REVOCATION));
        ELEMENTS = List.copyOf(elements);
        List<String> outbound = new ArrayList<>(elements);
        outbound.removeAll(List.of(AFTER_REFUSAL, ACCEPT_SERVER_AUTH_ONLY));
        outbound.add(CLIENT_CERTIFICATE);
        OUTBOUND_ELEMENTS = List.copyOf(outbound);
    }

    private static final TlsRequirement.Level[] INBOUND_LEVELS = {TlsRequirement.Level.NONE, TlsRequirement.Level.ENCRYPT,
        TlsRequirement.Level.FINGERPRINT, TlsRequirement.Level.VERIFY};

    private static final List<String> REPEATABLE;

    static {
        List<String> repeatable = new ArrayList<>(IdentityReader.FIELDS.keySet());
        repeatable.add(IdentityReader.PIN);
        REPEATABLE = List.copyOf(repeatable);
    }

    private RuleReader() {
    }

    /** An inbound rule: the requirement a client must meet. */
    static TlsRequirement read(ConfigElement rule) throws PolicyConfigurationException {
        Map<String, List<ConfigElement>> children = Values.children(rule, "rule", ELEMENTS, REPEATABLE, IdentityReader.ATTRIBUTES);
        return read(rule, children, INBOUND_LEVELS, TlsRequirement.builder());
    }

    /**
     * An outbound rule: the requirement a destination's MX must meet. Refusals default to temporary, a missing
     * STARTTLS included (the mail stays queued, as Postfix defers it); a missing STARTTLS follows {@code <failure>}
     * unless {@code <missingTls>} says otherwise.
     */
    static TlsRequirement readOutbound(ConfigElement rule, Map<String, List<ConfigElement>> children) throws PolicyConfigurationException {
        TlsRequirement.Builder builder = TlsRequirement.builder().missingTls(TlsRequirement.Failure.TEMPORARY);
        ConfigElement failure = Values.first(children, FAILURE);
        if (failure != null && Values.first(children, MISSING_TLS) == null) {
            // Outbound, a server without STARTTLS fails the rule like any other check: <failure> says what that means.
            builder.missingTls(Values.choice(failure, TlsRequirement.Failure.values()));
        }
        return read(rule, children, TlsRequirement.Level.values(), builder);
    }

    static Map<String, List<ConfigElement>> outboundChildren(ConfigElement rule) throws PolicyConfigurationException {
        // Settings of inbound rules, copied into an outbound one: say why they do not apply, not just "unknown element".
        for (ConfigElement element : rule.children()) {
            if (element.name().equals(AFTER_REFUSAL)) {
                throw element.error("applies to inbound rules only: outbound, a refused server always gets QUIT before MAIL FROM;"
                    + " remove it");
            }
            if (element.name().equals(ACCEPT_SERVER_AUTH_ONLY)) {
                throw element.error("applies to inbound rules only (client certificates): a server certificate must allow serverAuth;"
                    + " remove it");
            }
        }
        Map<String, java.util.Set<String>> attributes = new java.util.HashMap<>(IdentityReader.ATTRIBUTES);
        attributes.put(CLIENT_CERTIFICATE, java.util.Set.of("type", "password"));
        return Values.children(rule, "rule", OUTBOUND_ELEMENTS, REPEATABLE, attributes);
    }

    private static TlsRequirement read(ConfigElement rule, Map<String, List<ConfigElement>> children, TlsRequirement.Level[] levels,
                                       TlsRequirement.Builder builder) throws PolicyConfigurationException {
        ConfigElement element;
        if ((element = Values.first(children, LEVEL)) != null) {
            builder.level(Values.choice(element, levels));
        }
        if ((element = Values.first(children, MIN_CIPHER_BITS)) != null) {
            builder.minCipherBits(bits(element));
        }
        if ((element = Values.first(children, MIN_PROTOCOL)) != null) {
            builder.minProtocol(protocol(element));
        }
        if ((element = Values.first(children, FAILURE)) != null) {
            builder.failure(Values.choice(element, TlsRequirement.Failure.values()));
        }
        if ((element = Values.first(children, MISSING_TLS)) != null) {
            builder.missingTls(Values.choice(element, TlsRequirement.Failure.values()));
        }
        if ((element = Values.first(children, AFTER_REFUSAL)) != null) {
            builder.afterRefusal(Values.choice(element, TlsRequirement.AfterRefusal.values()));
        }
        for (IdentityConstraint constraint : IdentityReader.constraints(children)) {
            builder.require(constraint);
        }
        builder.certificate(certificateRequirement(children));
        if ((element = Values.first(children, LEVEL)) != null && element.text().equalsIgnoreCase("fingerprint")
            && children.containsKey(REVOCATION)) {
            throw children.get(REVOCATION).get(0).error("revocation is not checked at level fingerprint (the pins decide);"
                + " remove it, or use level verify");
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw rule.error(e.getMessage());
        }
    }

    private static CertificateRequirement certificateRequirement(Map<String, List<ConfigElement>> children)
            throws PolicyConfigurationException {
        CertificateRequirement.Builder certificate = CertificateRequirement.builder();
        for (CertificatePin pin : IdentityReader.pins(children)) {
            certificate.pin(pin);
        }
        ConfigElement element;
        if ((element = Values.first(children, ACCEPT_SERVER_AUTH_ONLY)) != null) {
            certificate.acceptServerAuthOnly(Values.bool(element));
        }
        if ((element = Values.first(children, MIN_RSA_BITS)) != null) {
            certificate.minRsaBits(Values.integer(element, 1024, 16384, "RSA key bits"));
        }
        if ((element = Values.first(children, MIN_EC_BITS)) != null) {
            certificate.minEcBits(Values.integer(element, 224, 521, "EC key bits"));
        }
        if ((element = Values.first(children, REVOCATION)) != null) {
            certificate.revocation(Values.choice(element, CertificateRequirement.Revocation.values()));
        }
        return certificate.build();
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
}
