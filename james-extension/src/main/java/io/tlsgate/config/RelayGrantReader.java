package io.tlsgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.tlsgate.policy.RelayGrant;

/**
 * Reads {@code <relay>}: which verified client certificates may relay.
 *
 * <pre>
 * &lt;relay&gt;
 *   &lt;certificate&gt;                                         (repeatable; any one that matches grants relay)
 *     &lt;issuerDn&gt;CN=Partner CA,O=Partner&lt;/issuerDn&gt;     identity elements, all must match
 *     &lt;pin of="spki"&gt;...&lt;/pin&gt;                         pins, one must match
 *     &lt;authenticateAs&gt;partner@example.com&lt;/authenticateAs&gt;  optional: the James user the session counts as
 *   &lt;/certificate&gt;
 * &lt;/relay&gt;
 * </pre>
 */
final class RelayGrantReader {
    static final String ELEMENT = "relay";
    private static final String CERTIFICATE = "certificate";
    private static final String AUTHENTICATE_AS = "authenticateAs";

    private RelayGrantReader() {
    }

    static List<RelayGrant> read(ConfigElement relay) throws PolicyConfigurationException {
        relay.allowAttributes(Set.of());
        relay.requireNoText();
        List<RelayGrant> grants = new ArrayList<>();
        for (ConfigElement certificate : relay.children()) {
            ElementNames.requireKnown(certificate, List.of(CERTIFICATE));
            certificate.allowAttributes(Set.of());
            List<String> known = new ArrayList<>(IdentityReader.FIELDS.keySet());
            known.add(IdentityReader.PIN);
            known.add(AUTHENTICATE_AS);
            List<String> repeatable = new ArrayList<>(IdentityReader.FIELDS.keySet());
            repeatable.add(IdentityReader.PIN);
            Map<String, List<ConfigElement>> children = Values.children(certificate, "certificate", known, repeatable, IdentityReader.ATTRIBUTES);
            ConfigElement user = Values.first(children, AUTHENTICATE_AS);
            Optional<String> username = Optional.empty();
            if (user != null) {
                String text = user.text();
                if (text.chars().anyMatch(Character::isWhitespace)) {
                    throw user.error("'" + text + "' is not a user name");
                }
                username = Optional.of(text);
            }
            try {
                grants.add(new RelayGrant(IdentityReader.constraints(children), IdentityReader.pins(children), username));
            } catch (IllegalArgumentException e) {
                throw certificate.error(e.getMessage());
            }
        }
        if (grants.isEmpty()) {
            throw relay.error("grants nothing: add a <certificate> with the identity that may relay, or remove <relay>");
        }
        return grants;
    }
}
