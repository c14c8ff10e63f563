package io.tlsgate.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityPattern;
import io.tlsgate.policy.TlsRequirement;

/**
 * The right-hand side of a Sendmail {@code TLS_Clt:}, {@code TLS_Srv:} or {@code TLS_Rcpt:} entry, read into a
 * {@link TlsRequirement}:
 *
 * <pre>
 *   [TEMP+ | PERM+] (VERIFY | VERIFY:bits | ENCR:bits) {+CN | +CN:name | +CS:dn | +CI:dn | +CITag:tag}
 * </pre>
 *
 * Refusals are temporary unless PERM+ says otherwise, for a missing STARTTLS too (Sendmail's default). Every
 * extension needs a verified certificate here (level verify), also after ENCR: the stricter reading, since TLS Gate
 * compares names of verified certificates only. {@code +CN} without a name is the MX host name check of level verify
 * outbound; inbound it is refused (the client's host name is not known when the file is read: write {@code +CN:name}).
 */
final class SendmailTlsValue {
    private static final Pattern EXTENSION_START = Pattern.compile("\\+(?=(?i:CN(?::|\\+|$)|CS:|CI:|CITAG:))");
    private static final Pattern BASE = Pattern.compile("(?i)(VERIFY)(?::(\\d{1,9}))?|(ENCR):(\\d{1,9})");

    private SendmailTlsValue() {
    }

    /**
     * @param inbound whether the entry is a client's (TLS_Clt)
     * @param tags issuer DNs per CITag name, for {@code +CITag:tag}
     * @throws IllegalArgumentException with what is wrong and how to write it
     */
    static TlsRequirement parse(String value, boolean inbound, Map<String, List<DistinguishedName>> tags) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("no value: write VERIFY, VERIFY:bits or ENCR:bits");
        }
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + value + "' has more than one word (makemap keeps a trailing"
                + " '# comment' in the value; put comments on a line of their own)");
        }
        TlsRequirement.Builder builder = TlsRequirement.builder();
        String rest = value;
        TlsRequirement.Failure failure = TlsRequirement.Failure.TEMPORARY;
        if (rest.regionMatches(true, 0, "TEMP+", 0, 5)) {
            rest = rest.substring(5);
        } else if (rest.regionMatches(true, 0, "PERM+", 0, 5)) {
            failure = TlsRequirement.Failure.PERMANENT;
            rest = rest.substring(5);
        }
        builder.failure(failure).missingTls(failure);
        String[] parts = EXTENSION_START.split(rest, -1);
        Matcher base = BASE.matcher(parts[0]);
        if (!base.matches()) {
            throw new IllegalArgumentException("'" + value + "': '" + parts[0] + "' is not VERIFY, VERIFY:bits or ENCR:bits"
                + (parts[0].contains("+") ? " (unknown extension: known are +CN, +CN:name, +CS:dn, +CI:dn, +CITag:tag)"
                : parts[0].toUpperCase(Locale.ROOT).startsWith("ENCR") ? " (ENCR needs the minimum bits, e.g. ENCR:128)" : ""));
        }
        String bitsText = base.group(1) != null ? base.group(2) : base.group(4);
        if (bitsText != null) {
            int bits = Integer.parseInt(bitsText);
            if (bits > TlsRequirement.MAX_CIPHER_BITS) {
                throw new IllegalArgumentException("'" + value + "': " + bits + " bits can never be met (the strongest"
                    + " ciphers give " + TlsRequirement.MAX_CIPHER_BITS + ")");
            }
            builder.minCipherBits(bits);
        }
        boolean verify = base.group(1) != null || parts.length > 1;
        builder.level(verify ? TlsRequirement.Level.VERIFY : TlsRequirement.Level.ENCRYPT);
        for (int i = 1; i < parts.length; i++) {
            extension(value, parts[i], inbound, tags, builder);
        }
        return builder.build();
    }

    private static void extension(String value, String extension, boolean inbound, Map<String, List<DistinguishedName>> tags,
                                  TlsRequirement.Builder builder) {
        int colon = extension.indexOf(':');
        String name = (colon < 0 ? extension : extension.substring(0, colon)).toUpperCase(Locale.ROOT);
        String argument = colon < 0 ? "" : extension.substring(colon + 1);
        if (colon >= 0 && argument.isEmpty()) {
            throw new IllegalArgumentException("'" + value + "': +" + extension + " names nothing after the ':'");
        }
        switch (name) {
            case "CN":
                if (colon < 0) {
                    if (inbound) {
                        throw new IllegalArgumentException("'" + value + "': +CN compares the certificate with the client's host"
                            + " name, which TLS Gate does not check per session; write the name: +CN:mx.partner.example");
                    }
                    // Outbound, level verify already requires the certificate to name the MX host (RFC 6125).
                    return;
                }
                builder.require(new IdentityConstraint(IdentityConstraint.Field.SUBJECT_CN,
                    List.of(IdentityPattern.exact(SendmailDn.decode(argument)))));
                return;
            case "CS":
                builder.require(dn(IdentityConstraint.Field.SUBJECT_DN, List.of(SendmailDn.parse(argument))));
                return;
            case "CI":
                builder.require(dn(IdentityConstraint.Field.ISSUER_DN, List.of(SendmailDn.parse(argument))));
                return;
            case "CITAG":
                List<DistinguishedName> issuers = tags.get(argument.toLowerCase(Locale.ROOT));
                if (issuers == null) {
                    throw new IllegalArgumentException("'" + value + "': +CITag:" + argument + " but no CITag: entry has the tag "
                        + argument + " (write CITag:/C=../CN=Issuer " + argument + ")");
                }
                builder.require(dn(IdentityConstraint.Field.ISSUER_DN, issuers));
                return;
            default:
                throw new IllegalStateException(name);
        }
    }

    private static IdentityConstraint dn(IdentityConstraint.Field field, List<DistinguishedName> names) {
        return new IdentityConstraint(field, names.stream().map(n -> IdentityPattern.exact(n.display())).collect(Collectors.toList()));
    }
}
