package io.tlsgate.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.DestinationTable;

/** Everything the relay mailet was configured with: the rule per destination and how server certificates are verified. */
public final class OutboundPolicy {
    /** Files this policy imports (an access file), with the SHA-256 of what was read: a reloader watches them too. */
    private final Map<Path, String> importedFiles;
    private final DestinationTable<OutboundRule> rules;
    private final Optional<VerificationCache> verification;

    OutboundPolicy(DestinationTable<OutboundRule> rules, Optional<VerificationCache> verification) {
        this(rules, verification, Map.of());
    }

    OutboundPolicy(DestinationTable<OutboundRule> rules, Optional<VerificationCache> verification, Map<Path, String> importedFiles) {
        this.importedFiles = Map.copyOf(importedFiles);
        this.rules = rules;
        this.verification = verification;
    }

    public DestinationTable<OutboundRule> rules() {
        return rules;
    }

    /** Empty when the policy has no {@code <verification>}: then no server certificate can verify (only pins). */
    public Optional<VerificationCache> verification() {
        return verification;
    }

    public Map<Path, String> importedFiles() {
        return importedFiles;
    }
}
