package io.tlsgate.admin;

import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/** Checks of the admin surface's parameters, by syntax only: nothing here resolves a name or opens a connection. */
final class QueryInput {
    private static final int MAX_LENGTH = 255;

    private QueryInput() {
    }

    /** An IP address literal (IPv6 with or without brackets), as 4 or 16 bytes. */
    static byte[] address(String parameter, String value) {
        String trimmed = required(parameter, value);
        String literal = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
        if (!InetAddresses.isInetAddress(literal)) {
            throw BadQuery.invalid(parameter + " '" + clip(value) + "' is not an IP address (give e.g. 192.0.2.7 or 2001:db8::7)");
        }
        return InetAddresses.forString(literal).getAddress();
    }

    /** A host or domain name, lower case, without a trailing dot. */
    static String domainName(String parameter, String value) {
        String trimmed = required(parameter, value).toLowerCase(Locale.ROOT);
        String name = trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        if (name.length() > 253 || InetAddresses.isInetAddress(name) || !InternetDomainName.isValid(name)) {
            throw BadQuery.invalid(parameter + " '" + clip(value) + "' is not a domain name");
        }
        return name;
    }

    /** What a client may say in HELO: one word of printable ASCII. */
    static String helo(String value) {
        String trimmed = required("helo", value);
        if (trimmed.length() > MAX_LENGTH || !trimmed.chars().allMatch(c -> c > 32 && c < 127)) {
            throw BadQuery.invalid("helo '" + clip(value) + "' is not a HELO argument (one word of printable ASCII, at most "
                + MAX_LENGTH + " characters)");
        }
        return trimmed;
    }

    static MailAddress recipient(String value) {
        String trimmed = required("recipient", value);
        try {
            return new MailAddress(trimmed);
        } catch (Exception e) {
            throw BadQuery.invalid("recipient '" + clip(value) + "' is not a mail address: " + e.getMessage());
        }
    }

    /** A name of a listener or relay mailet, as registered (checked against the registry by the caller). */
    static String name(String parameter, String value) {
        String trimmed = required(parameter, value);
        if (trimmed.length() > MAX_LENGTH) {
            throw BadQuery.invalid(parameter + " is longer than " + MAX_LENGTH + " characters");
        }
        return trimmed;
    }

    static int limit(String value, int max) {
        if (value == null) {
            return max;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw BadQuery.invalid("limit '" + clip(value) + "' is not a number from 1 to " + max);
    }

    static Optional<String> optional(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static String required(String parameter, String value) {
        if (value == null || value.isBlank()) {
            throw BadQuery.invalid(parameter + " is missing");
        }
        return value.trim();
    }

    /** Echoes at most 100 characters of bad input. */
    private static String clip(String value) {
        return value.length() > 100 ? value.substring(0, 100) + "..." : value;
    }
}
