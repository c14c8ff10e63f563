package io.tlsgate.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's host name as policy may use it: the PTR name, only when that name resolves back to the client's
 * address (forward-confirmed reverse DNS). An unconfirmed name would let whoever controls a PTR record pick
 * the rule its client is judged by.
 */
final class ClientNameResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientNameResolver.class);

    private final DNSService dns;

    ClientNameResolver(DNSService dns) {
        this.dns = dns;
    }

    Optional<String> confirmedName(InetAddress address) {
        String name;
        try {
            name = dns.getHostName(address);
        } catch (RuntimeException e) {
            LOGGER.debug("No PTR name for {}: {}", address.getHostAddress(), e.toString());
            return Optional.empty();
        }
        if (name == null || name.isBlank() || name.equals(address.getHostAddress())) {
            return Optional.empty();
        }
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            Collection<InetAddress> forward = dns.getAllByName(host);
            for (InetAddress candidate : forward) {
                if (Arrays.equals(candidate.getAddress(), address.getAddress())) {
                    return Optional.of(host);
                }
            }
            LOGGER.info("Ignoring PTR name {} of {}: it does not resolve back to that address", host, address.getHostAddress());
        } catch (UnknownHostException | RuntimeException e) {
            LOGGER.info("Ignoring PTR name {} of {}: it does not resolve ({})", host, address.getHostAddress(), e.toString());
        }
        return Optional.empty();
    }
}
