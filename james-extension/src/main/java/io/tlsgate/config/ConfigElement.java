package io.tlsgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * A read-only view of one XML element of a James configuration that knows where it is, so that every
 * error can name the element it is about. Values are trimmed; an element with only whitespace is empty.
 */
final class ConfigElement {
    private final ImmutableNode node;
    private final String location;

    private ConfigElement(ImmutableNode node, String location) {
        this.node = node;
        this.location = location;
    }

    static ConfigElement root(Configuration configuration) throws PolicyConfigurationException {
        return root(configuration, "");
    }

    /** The root element of {@code configuration}, its location preceded by where it is, e.g. {@code <processor state="relay">}. */
    @SuppressWarnings("unchecked")
    static ConfigElement root(Configuration configuration, String parents) throws PolicyConfigurationException {
        if (!(configuration instanceof HierarchicalConfiguration)) {
            throw new PolicyConfigurationException("<handler>", "James passed a configuration without XML structure ("
                + (configuration == null ? "none" : configuration.getClass().getName()) + ")");
        }
        ImmutableNode root = ((HierarchicalConfiguration<ImmutableNode>) configuration).getNodeModel().getNodeHandler().getRootNode();
        return new ConfigElement(root, parents.isEmpty() ? tag(root) : parents + " " + tag(root));
    }

    String name() {
        return node.getNodeName();
    }

    /** Where this element is, e.g. {@code <handler class="..."> <client peer="x">}. */
    String location() {
        return location;
    }

    PolicyConfigurationException error(String problem) {
        return new PolicyConfigurationException(location, problem);
    }

    List<ConfigElement> children() {
        List<ConfigElement> children = new ArrayList<>();
        for (ImmutableNode child : node.getChildren()) {
            children.add(new ConfigElement(child, location + " " + tag(child)));
        }
        return children;
    }

    Optional<String> attribute(String name) {
        Object value = node.getAttributes().get(name);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value).trim());
    }

    java.util.Set<String> attributeNames() {
        return node.getAttributes().keySet();
    }

    /** Refuses attributes other than the given ones. */
    void allowAttributes(Set<String> allowed) throws PolicyConfigurationException {
        for (String attribute : node.getAttributes().keySet()) {
            if (!allowed.contains(attribute)) {
                throw error("unknown attribute " + attribute + "=\""
                    + (attribute.toLowerCase(java.util.Locale.ROOT).contains("password") ? "***" : node.getAttributes().get(attribute)) + "\""
                    + (allowed.isEmpty() ? " (this element takes none)" : " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
        }
    }

    /** The element's text, which must not be empty. */
    String text() throws PolicyConfigurationException {
        Object value = node.getValue();
        String text = value == null ? "" : String.valueOf(value).trim();
        if (text.isEmpty()) {
            throw error("is empty");
        }
        return text;
    }

    /**
     * Refuses text directly inside an element that holds elements: "minCipherBits=256" written as text would
     * otherwise be ignored without a word.
     */
    void requireNoText() throws PolicyConfigurationException {
        Object value = node.getValue();
        String text = value == null ? "" : String.valueOf(value).trim();
        if (!text.isEmpty()) {
            throw error("holds the text '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                + "'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>");
        }
    }

    boolean hasChildren() {
        return !node.getChildren().isEmpty();
    }

    /** Children grouped by element name, in document order. */
    Map<String, List<ConfigElement>> childrenByName() {
        return children().stream().collect(Collectors.groupingBy(ConfigElement::name, LinkedHashMap::new, Collectors.toList()));
    }

    private static String tag(ImmutableNode node) {
        StringBuilder tag = new StringBuilder("<").append(node.getNodeName());
        // Locations end up in James's start-up log: never print a password there.
        node.getAttributes().forEach((k, v) -> tag.append(' ').append(k).append("=\"")
            .append(k.toLowerCase(java.util.Locale.ROOT).contains("password") ? "***" : v).append('"'));
        return tag.append('>').toString();
    }
}
