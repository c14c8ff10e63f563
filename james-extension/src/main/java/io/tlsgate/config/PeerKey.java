package io.tlsgate.config;

import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

import com.google.common.net.InetAddresses;

import io.tlsgate.policy.AddressBlock;

/**
 * One peer key as an administrator writes it: a host name or domain ("mx.partner.example", covering its
 * subdomains), an address ("192.0.2.7", "2001:db8::7"), a Sendmail-style address prefix ("192.0.2", "10")
 * or a CIDR block ("192.0.2.0/24", "2001:db8::/32").
 */
final class PeerKey {
    /** One to three bytes (a Sendmail prefix), or four that are not an address (a byte over 255, a leading zero). */
    private static final Pattern OCTET_PREFIX = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){0,3}");

    private final String host;
    private final AddressBlock block;

    private PeerKey(String host, AddressBlock block) {
        this.host = host;
        this.block = block;
    }

    Optional<String> host() {
        return Optional.ofNullable(host);
    }

    Optional<AddressBlock> block() {
        return Optional.ofNullable(block);
    }

    /** @throws IllegalArgumentException with what is wrong and how to write it */
    static PeerKey parse(String key) {
        String text = key.trim();
        if (text.regionMatches(true, 0, "IPv6:", 0, 5)) {
            text = text.substring(5);
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            return new PeerKey(null, cidr(text, slash));
        }
        if (InetAddresses.isInetAddress(text)) {
            byte[] address = InetAddresses.forString(text).getAddress();
            return new PeerKey(null, AddressBlock.of(address, address.length * 8, text));
        }
        if (digitsAndDots(text) && OCTET_PREFIX.matcher(text).matches()) {
            return new PeerKey(null, octetPrefix(text));
        }
        return new PeerKey(hostName(text), null);
    }

    private static AddressBlock cidr(String text, int slash) {
        String address = text.substring(0, slash);
        String length = text.substring(slash + 1);
        if (!InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("'" + text + "': '" + address + "' is not an IP address");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': '" + length + "' is not a prefix length");
        }
        InetAddress inet = InetAddresses.forString(address);
        try {
            return AddressBlock.of(inet.getAddress(), prefix, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage()
                + (e.getMessage().startsWith("bits beyond") ? "; did you mean " + networkOf(inet, prefix) + "?" : ""), e);
        }
    }

    private static String networkOf(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(bytes)) + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AddressBlock octetPrefix(String text) {
        String[] octets = text.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < octets.length; i++) {
            if (octets[i].length() > 1 && octets[i].startsWith("0")) {
                // inet_aton reads "010" as octal 8: refuse rather than guess which the administrator meant.
                throw new IllegalArgumentException("'" + text + "': '" + octets[i] + "' has a leading zero, which some tools"
                    + " read as octal; write the byte in plain decimal");
            }
            int value = Integer.parseInt(octets[i]);
            if (value > 255) {
                throw new IllegalArgumentException("'" + text + "': " + value + " is not an address byte (0..255)");
            }
            address[i] = (byte) value;
        }
        return AddressBlock.of(address, octets.length * 8, text);
    }

    private static boolean digitsAndDots(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every dot-separated label is 1 to 63 of letters, digits, '_' and '-', not starting or ending with '-'
     * (checked by hand, not by a regular expression: large access files parse millions of labels).
     */
    private static boolean labels(String name) {
        int start = 0;
        while (true) {
            int end = name.indexOf('.', start);
            if (end < 0) {
                end = name.length();
            }
            int length = end - start;
            if (length < 1 || length > 63 || name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
                return false;
            }
            for (int i = start; i < end; i++) {
                char c = name.charAt(i);
                boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
                if (!ok) {
                    return false;
                }
            }
            if (end == name.length()) {
                return true;
            }
            start = end + 1;
        }
    }

    private static String hostName(String text) {
        if (text.startsWith("*.") || text.startsWith(".")) {
            throw new IllegalArgumentException("'" + text + "': write the domain itself (" + text.substring(text.indexOf('.') + 1)
                + "); a domain entry already covers all its subdomains");
        }
        if (text.startsWith("[")) {
            throw new IllegalArgumentException("'" + text + "': write addresses without brackets");
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("'" + text + "' is not a host name, domain, address or address block");
        }
        if (!labels(name)) {
            throw new IllegalArgumentException("'" + text + "' is not a host name, domain, address or address block");
        }
        if (name.substring(name.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit)) {
            // No top-level domain is all digits (RFC 3696): this is a mistyped address, which would never match.
            throw new IllegalArgumentException("'" + text + "' is not a host name, domain, address or address block");
        }
        return name;
    }

    /** Two keys are equal when they select the same peers: host names without case, blocks by network and length. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PeerKey)) {
            return false;
        }
        PeerKey other = (PeerKey) o;
        return host != null ? other.host != null && host.equalsIgnoreCase(other.host) : block.equals(other.block);
    }

    @Override
    public int hashCode() {
        return host != null ? host.toLowerCase(java.util.Locale.ROOT).hashCode() : block.hashCode();
    }

    @Override
    public String toString() {
        return host != null ? "host " + host.toLowerCase(java.util.Locale.ROOT) : "address " + block;
    }
}
