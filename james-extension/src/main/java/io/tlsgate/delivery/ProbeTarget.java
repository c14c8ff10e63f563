package io.tlsgate.delivery;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/**
 * What a probe connects to: the MX hosts of a domain, or one host (name or address literal) and port; optionally the
 * recipient whose rule applies. Validated when made, so that nothing unchecked reaches DNS or the network; a bad value
 * is an {@link IllegalArgumentException} whose message says what is wrong. Immutable.
 */
public final class ProbeTarget {
    public static final int DEFAULT_PORT = 25;

    /** How the target was given. */
    public enum Kind { DOMAIN, HOST }

    private final Kind kind;
    private final String domain;
    private final String host;
    private final int port;
    private final String recipient;

    private ProbeTarget(Kind kind, String domain, String host, int port, String recipient) {
        this.kind = kind;
        this.domain = domain;
        this.host = host;
        this.port = port;
        this.recipient = recipient;
    }

    /**
     * The MX hosts of {@code domain}, on port 25 (or the port an MX record names).
     *
     * @param recipient an address in that domain, whose own rule (recipient or local part) then applies
     * @throws IllegalArgumentException when the domain is not a domain name, or the recipient not an address of it
     */
    public static ProbeTarget domain(String domain, Optional<String> recipient) {
        String name = domainName(domain, "domain");
        Optional<MailAddress> address = recipient.map(ProbeTarget::address);
        address.ifPresent(a -> {
            if (!a.getDomain().asString().equalsIgnoreCase(name)) {
                throw new IllegalArgumentException("recipient " + a.asString() + " is not an address of the domain " + name
                    + ": give a recipient of " + name + ", or no domain (the recipient's domain is probed)");
            }
        });
        return new ProbeTarget(Kind.DOMAIN, name, null, DEFAULT_PORT, address.map(MailAddress::asString).orElse(null));
    }

    /**
     * One host, as the relay would connect to a gateway.
     *
     * @param host a host name or an IP address (IPv6 with or without brackets)
     * @param port 1 to 65535
     * @param recipient the recipient whose rule (recipient side) applies; without it only the server side and the
     *                  default apply, and level secure has no domain to check
     * @throws IllegalArgumentException when the host is neither a host name nor an address, or the port out of range
     */
    public static ProbeTarget host(String host, int port, Optional<String> recipient) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is missing: give a host name or an IP address");
        }
        String trimmed = host.trim();
        String literal = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
        String name = InetAddresses.isInetAddress(literal) ? InetAddresses.toAddrString(InetAddresses.forString(literal))
            : domainName(trimmed, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: give 1 to 65535");
        }
        return new ProbeTarget(Kind.HOST, null, name, port, recipient.map(ProbeTarget::address).map(MailAddress::asString).orElse(null));
    }

    /**
     * From the probe's request parameters as given (each null when absent): {@code domain}, or {@code host} with an
     * optional {@code port}; or only {@code recipient}, and then its domain is probed.
     *
     * @throws IllegalArgumentException when they do not name one target, or a value is invalid
     */
    public static ProbeTarget of(String domain, String host, String port, String recipient) {
        Optional<String> rcpt = Optional.ofNullable(recipient).filter(r -> !r.isBlank());
        boolean hasDomain = domain != null && !domain.isBlank();
        boolean hasHost = host != null && !host.isBlank();
        if (hasDomain && hasHost) {
            throw new IllegalArgumentException("give either domain or host, not both");
        }
        if (port != null && !hasHost) {
            throw new IllegalArgumentException("port applies to host only (the MX hosts of a domain are probed on port 25)");
        }
        if (hasHost) {
            return host(host, port(port), rcpt);
        }
        if (hasDomain) {
            return domain(domain, rcpt);
        }
        if (rcpt.isPresent()) {
            return domain(address(rcpt.get()).getDomain().asString(), rcpt);
        }
        throw new IllegalArgumentException("nothing to probe: give domain, host (and port) or recipient");
    }

    private static int port(String port) {
        if (port == null) {
            return DEFAULT_PORT;
        }
        try {
            return Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + port + "' is not a number: give 1 to 65535");
        }
    }

    private static String domainName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String trimmed = value.trim();
        String name = trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        // Guava's syntax check (RFC 1123 labels, 253 characters); an address is not a name.
        if (!name.chars().allMatch(c -> c < 128)) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a valid domain name: write an internationalized name"
                + " in its ASCII form (xn--...)");
        }
        if (name.isEmpty() || InetAddresses.isInetAddress(name) || !InternetDomainName.isValid(name) || name.startsWith("-")) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a valid domain name");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static MailAddress address(String recipient) {
        if (recipient == null || recipient.isBlank()) {
            throw new IllegalArgumentException("recipient is empty: give an address such as user@example.com");
        }
        try {
            MailAddress address = new MailAddress(recipient.trim());
            String domain = address.getDomain().asString();
            if (domain.startsWith("[") || InetAddresses.isInetAddress(domain)) {
                throw new IllegalArgumentException("recipient '" + recipient + "' has an address literal as domain: give a domain name");
            }
            domainName(domain, "recipient domain");
            return address;
        } catch (AddressException e) {
            throw new IllegalArgumentException("recipient '" + recipient + "' is not a valid address: " + e.getMessage());
        }
    }

    public Kind getKind() {
        return kind;
    }

    /** The domain whose MX hosts are probed (lower case, no trailing dot); null for a host target. */
    public String getDomain() {
        return domain;
    }

    /** The host name (lower case) or address literal (no brackets); null for a domain target. */
    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    /** The recipient whose rule applies; null when none was given. */
    public String getRecipient() {
        return recipient;
    }

    /** The recipient domain the rules see: the domain, else the recipient's domain; empty for a host without recipient. */
    String recipientDomain() {
        if (domain != null) {
            return domain;
        }
        return recipient == null ? "" : recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProbeTarget)) {
            return false;
        }
        ProbeTarget t = (ProbeTarget) o;
        return kind == t.kind && Objects.equals(domain, t.domain) && Objects.equals(host, t.host) && port == t.port
            && Objects.equals(recipient, t.recipient);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, domain, host, port, recipient);
    }

    @Override
    public String toString() {
        String where = kind == Kind.DOMAIN ? "domain " + domain : "host " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return where + (recipient == null ? "" : " recipient " + recipient);
    }
}
