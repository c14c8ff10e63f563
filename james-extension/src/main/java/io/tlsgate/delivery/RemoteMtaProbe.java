package io.tlsgate.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.transport.mailets.remote.delivery.DnsHelper;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.HostAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.net.InetAddresses;

import io.tlsgate.config.OutboundPolicy;

/**
 * Connects to a domain's MX hosts (or one host) as the relay would, and says what each would get: EHLO, STARTTLS
 * under the relay's own TLS check (same MX order, SNI, name checks, rules of both sides), the TLS facts, the verdict,
 * then QUIT. Never MAIL FROM, never AUTH, so no mail is ever sent. Connect and read timeouts are bounded, and so is
 * the number of addresses tried.
 */
@SuppressWarnings("deprecation") // HostAddress is what James's DNS helper gives
public final class RemoteMtaProbe {
    private static final Logger LOGGER = LoggerFactory.getLogger(RemoteMtaProbe.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HOSTS = 10;

    private final DNSService dns;
    private final DomainList domains;
    private final Duration timeout;
    private final int maxHosts;

    /** With the default timeouts (10 s connect, 10 s per read) and at most 10 addresses. */
    @Inject
    public RemoteMtaProbe(DNSService dns, DomainList domains) {
        this(dns, domains, DEFAULT_TIMEOUT, DEFAULT_MAX_HOSTS);
    }

    /**
     * @param dns        James's DNS, as the relay resolves MX hosts with it
     * @param domains    James's domains: the EHLO name is the default domain, as the relay's
     * @param timeout    for the TCP connection and for each read (greeting, replies, TLS handshake)
     * @param maxHosts   at most this many MX addresses are probed
     */
    public RemoteMtaProbe(DNSService dns, DomainList domains, Duration timeout, int maxHosts) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.domains = Objects.requireNonNull(domains, "domains");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("probe timeout must be positive, got " + timeout);
        }
        if (maxHosts < 1) {
            throw new IllegalArgumentException("the probe must try at least one host, got " + maxHosts);
        }
        this.timeout = timeout;
        this.maxHosts = maxHosts;
    }

    /**
     * Probes every MX address of the target (up to the cap) under {@code policy}, the outbound policy in force of the
     * relay mailet asked about. Never throws for what a server does (refused connection, failed handshake, timeout):
     * those are in the report.
     */
    public ProbeReport probe(ProbeTarget target, OutboundPolicy policy) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(policy, "policy");
        String probedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        RemoteDeliveryConfiguration configuration = new RemoteDeliveryConfiguration(target.getKind() == ProbeTarget.Kind.DOMAIN
            ? ProbeSettings.toMx(timeout) : ProbeSettings.toHost(timeout, target.getHost(), target.getPort()), domains);
        String lookedUp = target.getKind() == ProbeTarget.Kind.DOMAIN ? "the mail servers of " + target.getDomain() : "host " + target.getHost();
        Iterator<HostAddress> hosts;
        try {
            hosts = addresses(target, configuration);
        } catch (TemporaryResolutionException e) {
            return new ProbeReport(target, probedAt, List.of(), 0, "4.4.3 cannot look up " + lookedUp + " now: " + e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.error("Probe: looking up {} failed", lookedUp, e);
            return new ProbeReport(target, probedAt, List.of(), 0, "4.4.3 cannot look up " + lookedUp + ": " + e);
        }
        if (!hosts.hasNext()) {
            return new ProbeReport(target, probedAt, List.of(), 0, target.getKind() == ProbeTarget.Kind.DOMAIN
                ? "5.4.4 no mail server found for " + target.getDomain() : "5.4.4 host " + target.getHost() + " has no address");
        }
        // Each address gets three timeouts in all: connection, greeting and EHLO, TLS handshake and the rest.
        HostProbe probe = new HostProbe(configuration, timeout.multipliedBy(3));
        List<ProbedHost> probed = new ArrayList<>();
        while (hosts.hasNext() && probed.size() < maxHosts) {
            probed.add(probe.probe(hosts.next(), target, policy));
        }
        int left = 0;
        for (; hosts.hasNext(); hosts.next()) {
            left++;
        }
        return new ProbeReport(target, probedAt, probed, left, null);
    }

    /**
     * The addresses the relay would try, in its order: the domain's MX hosts through James's DNS helper (MX preference,
     * then each host's address); a host name as the relay resolves a gateway; an address literal as it is.
     */
    private Iterator<HostAddress> addresses(ProbeTarget target, RemoteDeliveryConfiguration configuration)
            throws TemporaryResolutionException {
        if (target.getKind() == ProbeTarget.Kind.HOST && InetAddresses.isInetAddress(target.getHost())) {
            String host = target.getHost().contains(":") ? "[" + target.getHost() + "]" : target.getHost();
            return List.of(new HostAddress(host, "smtp://" + host + ":" + target.getPort())).iterator();
        }
        String name = target.getKind() == ProbeTarget.Kind.DOMAIN ? target.getDomain() : target.getHost();
        return new DnsHelper(dns, configuration).retrieveHostAddressIterator(name, false);
    }
}
