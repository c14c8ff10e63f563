package io.tlsgate.delivery;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.apache.mailet.HostAddress;

import io.tlsgate.config.OutboundRule;
import io.tlsgate.policy.DestinationTable;

/**
 * What a connection to an MX was judged for. A cached connection carries another mail only when that mail's
 * attempt gives an equal key: the same policy object (a reload makes a new one, so nothing judged under the old
 * policy is reused), the same applying rules (the same rule objects, matched by the same keys: this also fixes the
 * client certificate, which comes from the rules), the same recipient domain (level secure names it in the
 * certificate) and the same MX, address, port and protocol.
 */
@SuppressWarnings("deprecation") // HostAddress is what James's DNS helper gives
final class ConnectionKey {
    private final Object policy;
    private final List<Object> rules;
    private final String rulesText;
    private final String domain;
    private final String mxName;
    private final String address;
    private final int port;
    private final String protocol;

    private ConnectionKey(Object policy, List<Object> rules, String rulesText, String domain, String mxName, String address, int port,
                          String protocol) {
        this.policy = policy;
        this.rules = rules;
        this.rulesText = rulesText;
        this.domain = domain;
        this.mxName = mxName;
        this.address = address;
        this.port = port;
        this.protocol = protocol;
    }

    /** @param policy the policy in force for this attempt, compared by identity */
    static ConnectionKey of(Object policy, DestinationTable.Rules<OutboundRule> rules, String domain, HostAddress host) {
        return new ConnectionKey(policy, rules.applying().stream().map(DestinationTable.Match::rule).collect(Collectors.toList()),
            rules.toString(), domain, host.getHostName(), host.getHost(), host.getPort(), host.getProtocol());
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof ConnectionKey)) {
            return false;
        }
        ConnectionKey that = (ConnectionKey) other;
        return policy == that.policy && sameObjects(rules, that.rules) && rulesText.equals(that.rulesText) && domain.equals(that.domain)
            && mxName.equals(that.mxName) && address.equals(that.address) && port == that.port && protocol.equals(that.protocol);
    }

    /** Rules compare by identity: two rules that read alike are still two rules. */
    private static boolean sameObjects(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(policy), rulesText, domain, mxName, address, port, protocol);
    }

    @Override
    public String toString() {
        return domain + " via " + mxName + "[" + address + "]:" + port + " rule=\"" + rulesText + "\"";
    }
}
