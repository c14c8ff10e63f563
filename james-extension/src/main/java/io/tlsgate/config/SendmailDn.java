package io.tlsgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.tlsgate.policy.DistinguishedName;

/**
 * A distinguished name as Sendmail writes it in an access map: OpenSSL's one-line form, most significant RDN first
 * ({@code /C=US/O=Example Org/CN=Example CA}), with {@code +XX} hex escapes for blanks, non-printable characters and
 * {@code < > ( ) " +} ({@code /C=US/O=Example+20Org/CN=CA}). Read into the RFC 4514 form the policy compares.
 */
final class SendmailDn {
    /** An RDN starts at a '/' followed by an attribute name and '='; a '/' inside a value does not. */
    private static final Pattern RDN_START = Pattern.compile("/(?=[A-Za-z][A-Za-z0-9.-]*=)");
    /** OpenSSL short names the JDK does not know under that name. */
    private static final Map<String, String> KEYWORDS = Map.of(
        "EMAIL", "EMAILADDRESS", "E", "EMAILADDRESS", "SN", "SURNAME", "GN", "GIVENNAME", "TITLE", "T");

    private SendmailDn() {
    }

    /**
     * The {@code +XX} escapes replaced by the characters they stand for. Escapes are bytes: a run such as
     * {@code M+C3+BCller} is UTF-8 ("Müller"), as certificates encode names; a run that is not UTF-8 is read byte by
     * byte (Latin-1), as older files wrote it.
     */
    static String decode(String text) {
        if (text.indexOf('+') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream utf8 = new java.io.ByteArrayOutputStream(text.length());
        StringBuilder latin1 = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                if (!isHex(text, i + 1) || !isHex(text, i + 2)) {
                    throw new IllegalArgumentException("'+' at position " + (i + 1) + " is not followed by two hex digits"
                        + " (Sendmail writes a '+' in a name as +2B)");
                }
                int b = Integer.parseInt(text.substring(i + 1, i + 3), 16);
                utf8.write(b);
                latin1.append((char) b);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                utf8.write(bytes, 0, bytes.length);
                latin1.append(c);
            }
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(utf8.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return latin1.toString();
        }
    }

    private static boolean isHex(String text, int index) {
        return index < text.length() && Character.digit(text.charAt(index), 16) >= 0;
    }

    /**
     * @throws IllegalArgumentException with what is wrong, e.g. a name not starting with '/'
     */
    static DistinguishedName parse(String sendmailForm) {
        String text = decode(sendmailForm.trim());
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("'" + sendmailForm + "' is not a distinguished name in Sendmail's form"
                + " (/C=US/O=Example/CN=Example CA)");
        }
        String[] parts = RDN_START.split(text, -1);
        List<String> rdns = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("'" + sendmailForm + "': '" + part + "' is not attribute=value");
            }
            String keyword = part.substring(0, equals).toUpperCase(Locale.ROOT);
            rdns.add(KEYWORDS.getOrDefault(keyword, keyword) + "=" + escape(part.substring(equals + 1)));
        }
        if (rdns.isEmpty() || !parts[0].isEmpty()) {
            throw new IllegalArgumentException("'" + sendmailForm + "' is not a distinguished name in Sendmail's form"
                + " (/C=US/O=Example/CN=Example CA)");
        }
        StringBuilder rfc4514 = new StringBuilder();
        for (int i = rdns.size() - 1; i >= 0; i--) {
            rfc4514.append(rdns.get(i)).append(i > 0 ? "," : "");
        }
        try {
            return DistinguishedName.parse(rfc4514.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + sendmailForm + "' is not a distinguished name (" + e.getMessage() + ")", e);
        }
    }

    /** RFC 4514 escaping of a value. */
    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean special = ",+\"\\<>;=".indexOf(c) >= 0
                || i == 0 && (c == '#' || c == ' ')
                || i == value.length() - 1 && c == ' ';
            if (special) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
