package io.tlsgate.config;

import java.util.List;
import java.util.Optional;

import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsRequirement;

/**
 * The TLS policy of a Sendmail access file, read and checked as a whole (both directions, whichever side loads it),
 * ready to be added to the inbound or outbound tables. Built by {@link AccessFileReader}.
 */
final class AccessFile {
    private final String location;
    final Optional<AccessEntry<String, TlsRequirement>> clientDefault;
    final List<AccessEntry<PeerKey, TlsRequirement>> clients;
    final List<RelayGrant> relayGrants;
    final Optional<AccessEntry<String, TlsRequirement>> destinationDefault;
    final List<AccessEntry<String, TlsRequirement>> recipients;
    final List<AccessEntry<PeerKey, TlsRequirement>> domains;
    final List<AccessEntry<String, TlsRequirement>> localParts;
    final List<AccessEntry<PeerKey, TlsRequirement>> servers;
    final int ignored;

    AccessFile(String location, Optional<AccessEntry<String, TlsRequirement>> clientDefault,
               List<AccessEntry<PeerKey, TlsRequirement>> clients, List<RelayGrant> relayGrants,
               Optional<AccessEntry<String, TlsRequirement>> destinationDefault, List<AccessEntry<String, TlsRequirement>> recipients,
               List<AccessEntry<PeerKey, TlsRequirement>> domains, List<AccessEntry<String, TlsRequirement>> localParts,
               List<AccessEntry<PeerKey, TlsRequirement>> servers, int ignored) {
        this.location = location;
        this.clientDefault = clientDefault;
        this.clients = clients;
        this.relayGrants = List.copyOf(relayGrants);
        this.destinationDefault = destinationDefault;
        this.recipients = recipients;
        this.domains = domains;
        this.localParts = localParts;
        this.servers = servers;
        this.ignored = ignored;
    }

    /** Where an entry is, for messages: {@code <accessFile> conf/access line 12 (TLS_Clt:partner.example)}. */
    String place(AccessEntry<?, ?> entry) {
        return location + " line " + entry.line() + " (" + entry.written() + ")";
    }

    PolicyConfigurationException error(AccessEntry<?, ?> entry, String problem) {
        return new PolicyConfigurationException(place(entry), problem);
    }

    /**
     * The table refused {@code entries.get(index)} because its key has a rule already: an earlier line of the file, or
     * (when none) the XML. A hash set per kind while reading would find the same, at the cost of a second copy of every
     * key in large files; the tables' own check is enough.
     */
    <K, V> PolicyConfigurationException duplicate(List<AccessEntry<K, V>> entries, int index, String what, String xmlPlace) {
        AccessEntry<K, V> entry = entries.get(index);
        for (int i = 0; i < index; i++) {
            if (entries.get(i).key().equals(entry.key())) {
                return error(entry, "the " + what + " has an entry already on line " + entries.get(i).line() + " ("
                    + entries.get(i).written() + "); keep one");
            }
        }
        return error(entry, "the " + what + " has a rule in the XML too" + (xmlPlace == null ? "" : ", " + xmlPlace)
            + "; define each key in one place");
    }
}
