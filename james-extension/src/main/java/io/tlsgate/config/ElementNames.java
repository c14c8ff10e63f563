package io.tlsgate.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

import org.apache.commons.text.similarity.LevenshteinDistance;

/** Refuses unknown element names with a hint at the name that was probably meant. */
final class ElementNames {
    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(3);

    private ElementNames() {
    }

    static void requireKnown(ConfigElement element, Collection<String> known) throws PolicyConfigurationException {
        if (known.contains(element.name())) {
            return;
        }
        Optional<String> meant = known.stream()
            .filter(k -> DISTANCE.apply(k.toLowerCase(), element.name().toLowerCase()) >= 0)
            .min(Comparator.comparing(k -> DISTANCE.apply(k.toLowerCase(), element.name().toLowerCase())));
        throw element.error("unknown element" + meant.map(m -> "; did you mean <" + m + ">?").orElse("")
            + " (allowed here: " + String.join(", ", known) + ")");
    }
}
