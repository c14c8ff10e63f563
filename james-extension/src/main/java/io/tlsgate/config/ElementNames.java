package io.tlsgate.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.commons.text.similarity.LongestCommonSubsequence;

/** Refuses unknown element names with a hint at the name that was probably meant. */
final class ElementNames {
    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();
    private static final LongestCommonSubsequence COMMON = new LongestCommonSubsequence();

    private ElementNames() {
    }

    static void requireKnown(ConfigElement element, Collection<String> known) throws PolicyConfigurationException {
        if (known.contains(element.name())) {
            return;
        }
        String given = element.name().toLowerCase(Locale.ROOT);
        Optional<String> meant = known.stream()
            .filter(k -> resembles(given, k.toLowerCase(Locale.ROOT)))
            .min(Comparator.comparing(k -> DISTANCE.apply(given, k.toLowerCase(Locale.ROOT))));
        throw element.error("unknown element" + meant.map(m -> "; did you mean <" + m + ">?").orElse("")
            + " (allowed here: " + String.join(", ", known) + ")");
    }

    /** A typo (a few edits away) or an abbreviation (its letters appear in order: "minBits" for "minCipherBits"). */
    private static boolean resembles(String given, String known) {
        return DISTANCE.apply(given, known) <= 3 || given.length() >= 3 && COMMON.apply(given, known) == given.length();
    }
}
