package io.tlsgate.delivery;

import java.time.Duration;
import java.util.Objects;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;

import io.tlsgate.config.OutboundPolicy;

/**
 * Connects to a domain's MX hosts (or one host) as the relay would, and says what each would get: EHLO, STARTTLS
 * under the relay's own TLS check (same MX order, SNI, name checks, rules of both sides), the TLS facts, the verdict,
 * then QUIT. Never MAIL FROM, never AUTH, so no mail is ever sent. Connect and read timeouts are bounded, and so is
 * the number of addresses tried.
 */
public final class RemoteMtaProbe {
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
        this.domains = domains;
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
        throw new UnsupportedOperationException("not implemented yet");
    }
}
