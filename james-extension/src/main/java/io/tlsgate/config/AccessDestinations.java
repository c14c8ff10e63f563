package io.tlsgate.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.ReplyCodes;
import io.tlsgate.policy.TlsRequirement;

/**
 * Adds an access file's outbound entries to the destination table: TLS_Rcpt:user@domain as a recipient, TLS_Rcpt:domain
 * as a recipient domain, TLS_Rcpt:user@ as a local part, TLS_Srv: and Try_TLS: as the MX. A key the XML has too is an
 * error naming both places.
 */
final class AccessDestinations {
    private AccessDestinations() {
    }

    static void add(AccessFile access, DestinationTable.Builder<OutboundRule> table, Map<Object, ConfigElement> xmlKeys, ReplyCodes codes)
            throws PolicyConfigurationException {
        // One rule object per distinct requirement, not per entry: large files share a few values.
        Map<TlsRequirement, OutboundRule> rules = new java.util.IdentityHashMap<>();
        java.util.function.Function<AccessEntry<?, TlsRequirement>, OutboundRule> rule =
            entry -> rules.computeIfAbsent(entry.value(), r -> new OutboundRule(r.withReplyCodes(codes), Optional.empty()));
        List<AccessEntry<String, TlsRequirement>> recipients = access.recipients;
        for (int i = 0; i < recipients.size(); i++) {
            AccessEntry<String, TlsRequirement> entry = recipients.get(i);
            try {
                table.recipient(entry.key(), rule.apply(entry));
            } catch (IllegalArgumentException e) {
                throw access.duplicate(recipients, i, "recipient " + entry.key(),
                    place(xmlKeys.get(List.of(OutboundPolicyReader.RECIPIENT, entry.key()))));
            }
        }
        List<AccessEntry<PeerKey, TlsRequirement>> domains = access.domains;
        for (int i = 0; i < domains.size(); i++) {
            AccessEntry<PeerKey, TlsRequirement> entry = domains.get(i);
            try {
                table.domain(entry.key().host().orElseThrow(), rule.apply(entry));
            } catch (IllegalArgumentException e) {
                throw access.duplicate(domains, i, "domain " + entry.key().host().get(),
                    place(xmlKeys.get(List.of(OutboundPolicyReader.DOMAIN, entry.key()))));
            }
        }
        List<AccessEntry<String, TlsRequirement>> localParts = access.localParts;
        for (int i = 0; i < localParts.size(); i++) {
            try {
                table.localPart(localParts.get(i).key(), rule.apply(localParts.get(i)));
            } catch (IllegalArgumentException e) {
                throw access.duplicate(localParts, i, "local part " + localParts.get(i).key(), null);
            }
        }
        List<AccessEntry<PeerKey, TlsRequirement>> servers = access.servers;
        for (int i = 0; i < servers.size(); i++) {
            AccessEntry<PeerKey, TlsRequirement> entry = servers.get(i);
            try {
                if (entry.key().host().isPresent()) {
                    table.mxHost(entry.key().host().get(), rule.apply(entry));
                } else {
                    table.mxAddress(entry.key().block().orElseThrow(), rule.apply(entry));
                }
            } catch (IllegalArgumentException e) {
                throw access.duplicate(servers, i, "MX " + entry.key(), place(xmlKeys.get(List.of(OutboundPolicyReader.MX, entry.key()))));
            }
        }
    }

    private static String place(ConfigElement xml) {
        return xml == null ? null : xml.location();
    }
}
