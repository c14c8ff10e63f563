package io.tlsgate.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads element values, with errors that say what was found and what is allowed. */
final class Values {
    private Values() {
    }

    /** One of an enum's values, by name, ignoring case; '-' in the text stands for '_' (soft-fail). */
    static <E extends Enum<E>> E choice(ConfigElement element, E[] values) throws PolicyConfigurationException {
        String text = element.text();
        for (E value : values) {
            if (value.name().equalsIgnoreCase(text.replace('-', '_'))) {
                return value;
            }
        }
        throw element.error("'" + text + "' is not one of "
            + Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")));
    }

    static boolean bool(ConfigElement element) throws PolicyConfigurationException {
        String text = element.text();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw element.error("'" + text + "' is not true or false");
    }

    static int integer(ConfigElement element, int min, int max, String unit) throws PolicyConfigurationException {
        String text = element.text();
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw element.error("'" + text + "' is not a whole number of " + unit + " between " + min + " and " + max);
        }
        if (value < min || value > max) {
            throw element.error(value + " is out of range: " + unit + " go from " + min + " to " + max);
        }
        return value;
    }

    static ConfigElement first(Map<String, List<ConfigElement>> children, String name) {
        List<ConfigElement> elements = children.get(name);
        return elements == null ? null : elements.get(0);
    }

    /** Refuses unknown names, repeats of single elements, and nested elements inside value elements. */
    static Map<String, List<ConfigElement>> children(ConfigElement parent, String what, List<String> known, List<String> repeatable,
                                                     Map<String, java.util.Set<String>> attributes)
            throws PolicyConfigurationException {
        parent.requireNoText();
        Map<String, List<ConfigElement>> children = parent.childrenByName();
        for (Map.Entry<String, List<ConfigElement>> group : children.entrySet()) {
            ElementNames.requireKnown(group.getValue().get(0), known);
            if (!repeatable.contains(group.getKey()) && group.getValue().size() > 1) {
                throw group.getValue().get(1).error("is given twice in the same " + what + "; keep one");
            }
        }
        for (ConfigElement element : parent.children()) {
            element.allowAttributes(attributes.getOrDefault(element.name(), java.util.Set.of()));
            if (element.hasChildren()) {
                throw element.error("takes a value, not nested elements");
            }
        }
        return children;
    }

    /** {@code <replyCodes>standard|sendmail</replyCodes>}: the codes refusals carry, standard when not given. */
    static io.tlsgate.policy.ReplyCodes replyCodes(Map<String, List<ConfigElement>> children) throws PolicyConfigurationException {
        ConfigElement element = first(children, REPLY_CODES);
        if (element == null) {
            return io.tlsgate.policy.ReplyCodes.STANDARD;
        }
        element.allowAttributes(java.util.Set.of());
        return choice(element, io.tlsgate.policy.ReplyCodes.values());
    }

    static final String REPLY_CODES = "replyCodes";
}
