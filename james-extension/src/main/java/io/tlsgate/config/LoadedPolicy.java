package io.tlsgate.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A policy and the files it was read from, each with its SHA-256 taken no later than it was read (the policy file's
 * of the very bytes parsed, a file it names when it was resolved). A reloader watches these files: a change to any
 * of them is noticed, and an edit made while the policy was being read shows at the next check, never goes missed.
 */
public final class LoadedPolicy<P> {
    private final P policy;
    private final Map<Path, String> files;

    public LoadedPolicy(P policy, Map<Path, String> files) {
        this.policy = Objects.requireNonNull(policy);
        // In order: the policy file first (logs name it as the one reloaded), then the files it names.
        this.files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    public P policy() {
        return policy;
    }

    /** The files read, the policy file first, with the SHA-256 (hex) of the content read. */
    public Map<Path, String> files() {
        return files;
    }

    /** The same files plus one more (e.g. an access file a policy imports). */
    public LoadedPolicy<P> withFile(Path file, String sha256) {
        Map<Path, String> more = new LinkedHashMap<>(files);
        more.put(file, sha256);
        return new LoadedPolicy<>(policy, more);
    }
}
