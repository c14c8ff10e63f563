package io.tlsgate.config;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a file name as James configurations write it ("file://conf/tls/ca.pem") into a path. */
@FunctionalInterface
public interface FileResolver {
    Path resolve(String location) throws FileNotFoundException;

    /**
     * A resolver that remembers every path it gave, so that a reloader can watch the files a policy names. Each file is
     * hashed when it is resolved, before its reader reads it: an edit made while the policy is being read shows as a
     * difference at the next check (one reload more), never as a missed edit.
     */
    final class Recording implements FileResolver {
        private final FileResolver delegate;
        private final Map<Path, String> resolved = new LinkedHashMap<>();

        public Recording(FileResolver delegate) {
            this.delegate = delegate;
        }

        @Override
        public Path resolve(String location) throws FileNotFoundException {
            Path path = delegate.resolve(location);
            resolved.computeIfAbsent(path, FileFingerprint::of);
            return path;
        }

        /** The files resolved, in order, each with its SHA-256 as it was when resolved. */
        public Map<Path, String> resolved() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(resolved));
        }
    }
}
