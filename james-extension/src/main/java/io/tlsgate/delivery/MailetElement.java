package io.tlsgate.delivery;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.mailet.MailetConfig;

/**
 * Finds a mailet's own {@code <mailet>} element in mailetcontainer.xml. James 3.8.1 passes a mailet its element
 * flattened (MailetConfigImpl: each key's values joined with commas, ".." read as "."), which loses which
 * {@code <destination>} holds which {@code <level>}; the element itself keeps that. The element is the one whose
 * flattening is this mailet's configuration: its class and match attributes and every setting, with the same values.
 */
final class MailetElement {
    /** As MailetConfigImpl removes attributes from parameter names. */
    private static final Pattern ATTRIBUTE = Pattern.compile(Pattern.quote("[@") + ".+" + Pattern.quote("]"));

    /** A {@code <mailet>} element and the state of the {@code <processor>} that holds it. */
    static final class Found {
        final String processor;
        final HierarchicalConfiguration<ImmutableNode> element;

        Found(String processor, HierarchicalConfiguration<ImmutableNode> element) {
            this.processor = processor;
            this.element = element;
        }
    }

    private MailetElement() {
    }

    /** The elements of {@code <processors>} in {@code mailetContainer} that James would flatten to {@code config}. */
    static List<Found> find(HierarchicalConfiguration<ImmutableNode> mailetContainer, MailetConfig config) {
        List<Found> found = new ArrayList<>();
        for (HierarchicalConfiguration<ImmutableNode> processor : mailetContainer.configurationsAt("processors.processor")) {
            for (HierarchicalConfiguration<ImmutableNode> mailet : processor.configurationsAt("mailet")) {
                if (flattensTo(mailet, config)) {
                    found.add(new Found(processor.getString("[@state]", ""), mailet));
                }
            }
        }
        return found;
    }

    /** True when MailetConfigImpl.setConfiguration(element) gives {@code config}'s names and values. */
    static boolean flattensTo(HierarchicalConfiguration<ImmutableNode> element, MailetConfig config) {
        Set<String> names = new HashSet<>();
        for (Iterator<String> keys = element.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            String flat = key.replaceAll("\\.\\.", ".");
            if (!String.join(",", element.getStringArray(key)).equals(config.getInitParameter(flat))) {
                return false;
            }
            String name = ATTRIBUTE.matcher(flat).replaceAll("").trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        Set<String> given = new HashSet<>();
        config.getInitParameterNames().forEachRemaining(given::add);
        return names.equals(given);
    }
}
