package io.tlsgate.delivery;

import java.util.List;

/**
 * What a probe found: one {@link ProbedHost} per MX address tried, in the relay's order. Immutable; getters only, so
 * that it serializes as JSON as it is.
 */
public final class ProbeReport {
    private final ProbeTarget target;
    private final String probedAt;
    private final List<ProbedHost> hosts;
    private final int hostsNotProbed;
    private final String error;

    ProbeReport(ProbeTarget target, String probedAt, List<ProbedHost> hosts, int hostsNotProbed, String error) {
        this.target = target;
        this.probedAt = probedAt;
        this.hosts = List.copyOf(hosts);
        this.hostsNotProbed = hostsNotProbed;
        this.error = error;
    }

    public ProbeTarget getTarget() {
        return target;
    }

    /** When the probe started, ISO-8601 UTC. */
    public String getProbedAt() {
        return probedAt;
    }

    /** Each MX address tried, in the order the relay tries them. */
    public List<ProbedHost> getHosts() {
        return hosts;
    }

    /** Addresses beyond the probe's cap on hosts, left out (0 when none). */
    public int getHostsNotProbed() {
        return hostsNotProbed;
    }

    /**
     * Why no host could be probed (e.g. "4.4.3 cannot look up the mail servers of example.com now: ..." or
     * "5.4.4 no mail server found for example.com"); null when hosts were probed.
     */
    public String getError() {
        return error;
    }

    @Override
    public String toString() {
        return "probe of " + target + ": " + (error != null ? error : hosts);
    }
}
