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
        for (AccessEntry<String, TlsRequirement> entry : access.recipients) {
            try {
                table.recipient(entry.key(), rule.apply(entry));
            } catch (IllegalArgumentException e) {
                throw conflict(access, entry, xmlKeys.get(List.of(OutboundPolicyReader.RECIPIENT, entry.key())), "recipient " + entry.key());
            }
        }
        for (AccessEntry<PeerKey, TlsRequirement> entry : access.domains) {
            try {
                table.domain(entry.key().host().orElseThrow(), rule.apply(entry));
            } catch (IllegalArgumentException e) {
                throw conflict(access, entry, xmlKeys.get(List.of(OutboundPolicyReader.DOMAIN, entry.key())), "domain " + entry.key().host().get());
            }
        }
        for (AccessEntry<String, TlsRequirement> entry : access.localParts) {
            table.localPart(entry.key(), rule.apply(entry));
        }
        for (AccessEntry<PeerKey, TlsRequirement> entry : access.servers) {
            try {
                if (entry.key().host().isPresent()) {
                    table.mxHost(entry.key().host().get(), rule.apply(entry));
                } else {
                    table.mxAddress(entry.key().block().orElseThrow(), rule.apply(entry));
                }
            } catch (IllegalArgumentException e) {
                throw conflict(access, entry, xmlKeys.get(List.of(OutboundPolicyReader.MX, entry.key())), "MX " + entry.key());
            }
        }
    }

    private static PolicyConfigurationException conflict(AccessFile access, AccessEntry<?, ?> entry, ConfigElement xml, String key) {
        return access.error(entry, "the " + key + " has a rule in the XML too" + (xml == null ? "" : ", " + xml.location())
            + "; define each key in one place");
    }
}
