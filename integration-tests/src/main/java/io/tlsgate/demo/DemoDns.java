package io.tlsgate.demo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InetAddresses;

/**
 * The DNS of the demo and the tests: MX, A and PTR records for the names they make up (the peers' domains, a
 * forged PTR), since the network's DNS cannot hold them. PTR and A records are kept apart, so a PTR whose name does
 * not resolve back can be served. Address literals and "localhost" resolve as a real resolver resolves them; any
 * other name does not exist.
 */
public final class DemoDns implements DNSService {
    private final Map<String, List<String>> mx = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> a = new ConcurrentHashMap<>();
    private final Map<String, String> ptr = new ConcurrentHashMap<>();

    /** MX records of a domain, in preference order; a value may carry a port: "mx.peer.test:2525". */
    public DemoDns mx(String domain, String... hosts) {
        mx.put(normalize(domain), List.of(hosts));
        return this;
    }

    public DemoDns a(String name, String... addresses) {
        InetAddress[] resolved = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            resolved[i] = InetAddresses.forString(addresses[i]);
        }
        a.put(normalize(name), List.of(resolved));
        return this;
    }

    public DemoDns ptr(String address, String name) {
        ptr.put(InetAddresses.forString(address).getHostAddress(), name);
        return this;
    }

    @Override
    public Collection<String> findMXRecords(String hostname) {
        // Like James's DNSJavaService: no MX means the domain itself, if it has an address.
        List<String> hosts = mx.get(normalize(hostname));
        if (hosts != null) {
            return hosts;
        }
        return a.containsKey(normalize(hostname)) ? List.of(normalize(hostname)) : List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        String name = normalize(host);
        List<InetAddress> addresses = a.get(name);
        if (addresses != null) {
            return addresses;
        }
        if (InetAddresses.isInetAddress(name)) {
            return List.of(InetAddresses.forString(name));
        }
        if (name.equals("localhost")) {
            return List.of(InetAddress.getLoopbackAddress());
        }
        throw new UnknownHostException(host);
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).iterator().next();
    }

    @Override
    public InetAddress getLocalHost() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress address) {
        // Like DNSJavaService: the PTR target with its trailing dot, or the address when there is none.
        String name = ptr.get(address.getHostAddress());
        return name == null ? address.getHostAddress() : name + ".";
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
