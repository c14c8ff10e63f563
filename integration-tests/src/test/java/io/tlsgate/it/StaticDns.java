package io.tlsgate.it;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.dnsservice.api.DNSService;

/**
 * The network's DNS for tests that need PTR and A records it does not have: PTR and forward records are kept
 * apart, so a forged PTR (one whose name does not resolve back) can be served.
 */
final class StaticDns implements DNSService {
    private final Map<String, String> ptr = new HashMap<>();
    private final Map<String, List<InetAddress>> forward = new HashMap<>();

    StaticDns ptr(String address, String name) throws UnknownHostException {
        ptr.put(InetAddress.getByName(address).getHostAddress(), name);
        return this;
    }

    StaticDns a(String name, String... addresses) throws UnknownHostException {
        InetAddress[] resolved = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            resolved[i] = InetAddress.getByName(addresses[i]);
        }
        forward.put(name, List.of(resolved));
        return this;
    }

    @Override
    public Collection<String> findMXRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        List<InetAddress> addresses = forward.get(host);
        if (addresses == null) {
            // Literals and loopback names resolve as the real resolver would resolve them.
            return List.of(InetAddress.getByName(host.equals("localhost") ? "127.0.0.1" : literal(host)));
        }
        return addresses;
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).iterator().next();
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress address) {
        // Like James's DNSJavaService: the PTR target with its trailing dot, or the address when there is none.
        String name = ptr.get(address.getHostAddress());
        return name == null ? address.getHostAddress() : name + ".";
    }

    private static String literal(String host) throws UnknownHostException {
        if (!com.google.common.net.InetAddresses.isInetAddress(host)) {
            throw new UnknownHostException(host);
        }
        return host;
    }
}
