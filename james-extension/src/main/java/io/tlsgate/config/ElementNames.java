package io.tlsgate.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.List;
import java.util.stream.Collectors;

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
        List<String> meant = known.stream()
            .filter(k -> resembles(given, k.toLowerCase(Locale.ROOT)))
            .sorted(Comparator.comparing(k -> DISTANCE.apply(given, k.toLowerCase(Locale.ROOT))))
            .map(k -> "<" + k + ">")
            .collect(Collectors.toList());
        String hint = meant.isEmpty() ? ""
            : meant.size() == 1 ? "; did you mean " + meant.get(0) + "?"
            : "; did you mean " + String.join(", ", meant.subList(0, meant.size() - 1)) + " or " + meant.get(meant.size() - 1) + "?";
        throw element.error("unknown element" + hint + " (allowed here: " + String.join(", ", known) + ")");
    }

    /** A typo (a few edits away) or an abbreviation (its letters appear in order: "minBits" for "minCipherBits"). */
    private static boolean resembles(String given, String known) {
        return DISTANCE.apply(given, known) <= 2 || given.length() >= 3 && COMMON.apply(given, known) == given.length();
    }
}
