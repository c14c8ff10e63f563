package io.tlsgate.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

import io.tlsgate.policy.PeerCertificate;

/**
 * The name a server certificate must carry, checked as RFC 6125 says: the DNS names of the subjectAltName (a
 * wildcard only as the whole left-most label, matching exactly one label), the common name only when there is no
 * DNS name at all, and IP address SANs for an address literal.
 */
public final class ServerName {

    /** What the name stands for. */
    public enum Match {
        /** The MX host itself (Postfix's verify level). */
        HOST,
        /** The recipient domain or any subdomain of it (Postfix's secure level: nexthop, dot-nexthop). */
        DOMAIN
    }

    private final String name;
    private final Match match;

    private ServerName(String name, Match match) {
        String normalized = name.trim().toLowerCase(Locale.ROOT);
        this.name = normalized.endsWith(".") ? normalized.substring(0, normalized.length() - 1) : normalized;
        this.match = match;
    }

    public static ServerName host(String host) {
        return new ServerName(host, Match.HOST);
    }

    public static ServerName domain(String domain) {
        return new ServerName(domain, Match.DOMAIN);
    }

    public String name() {
        return name;
    }

    public Match match() {
        return match;
    }

    /**
     * Whether the certificate names this server. An empty name (no name known) or one with a "*" (a pattern, not a host)
     * matches no certificate.
     */
    public boolean matches(X509Certificate certificate, PeerCertificate identity) {
        if (name.isEmpty() || name.contains("*")) {
            return false;
        }
        if (InetAddresses.isInetAddress(name)) {
            return ipAddresses(certificate).stream().anyMatch(ip -> InetAddresses.forString(ip).equals(InetAddresses.forString(name)));
        }
        for (String presented : presentedNames(identity)) {
            if (match == Match.HOST ? matchesHost(presented, name) : matchesDomain(presented, name)) {
                return true;
            }
        }
        return false;
    }

    /** The names that count: DNS SANs, or the common names when the certificate has no DNS SAN. */
    static List<String> presentedNames(PeerCertificate identity) {
        return identity.dnsNames().isEmpty() ? identity.commonNames() : identity.dnsNames();
    }

    /**
     * What the certificate offers that is compared with this name, for messages: "[mx.example.com]" (DNS names, or
     * common names without them) or, for an address literal, "IP addresses [192.0.2.1]" (only IP address SANs count).
     */
    String presented(X509Certificate certificate, PeerCertificate identity) {
        return InetAddresses.isInetAddress(name) ? "IP addresses " + ipAddresses(certificate) : String.valueOf(presentedNames(identity));
    }

    static boolean matchesHost(String presented, String host) {
        String p = presented.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.contains("*")) {
            return p.equals(host);
        }
        if (!isWildcard(p)) {
            return false;
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(p.substring(1));
    }

    /**
     * Only "*" as the whole left-most label, over at least two more labels that are not a public registry suffix
     * ("*.example.com"; not "*.com", "*.co.uk", "f*.example.com", "*.*.example.com" or "a.*.example.com").
     */
    private static boolean isWildcard(String p) {
        if (!p.startsWith("*.") || p.indexOf('*', 1) >= 0 || p.chars().filter(c -> c == '.').count() < 2) {
            return false;
        }
        String base = p.substring(2);
        return !(InternetDomainName.isValid(base) && InternetDomainName.from(base).isRegistrySuffix());
    }

    static boolean matchesDomain(String presented, String domain) {
        String p = presented.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.startsWith("*.")) {
            if (!isWildcard(p)) {
                return false;
            }
            String base = p.substring(2);
            // "*.example.com" names the hosts one label below example.com: subdomains of the recipient domain when that is
            // example.com or a parent of it, and the recipient domain itself when that is one label below (a.example.com).
            return base.equals(domain) || base.endsWith("." + domain) || matchesHost(p, domain);
        }
        return !p.contains("*") && (p.equals(domain) || p.endsWith("." + domain));
    }

    private static List<String> ipAddresses(X509Certificate certificate) {
        List<String> addresses = new ArrayList<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                for (List<?> name : certificate.getSubjectAlternativeNames()) {
                    if (name.size() >= 2 && Integer.valueOf(7).equals(name.get(0))) {
                        addresses.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
        return addresses;
    }

    /** "MX host mx.example.com" or "recipient domain example.com". */
    public String describe() {
        return (match == Match.HOST ? "MX host " : "recipient domain ") + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerName && ((ServerName) o).name.equals(name) && ((ServerName) o).match == match;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, match);
    }

    @Override
    public String toString() {
        return describe();
    }
}
