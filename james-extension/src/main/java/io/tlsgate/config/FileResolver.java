package io.tlsgate.config;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a file name as James configurations write it ("file://conf/tls/ca.pem") into a path. */
@FunctionalInterface
public interface FileResolver {
    Path resolve(String location) throws FileNotFoundException;

    /** A resolver that remembers every path it gave, so that a reloader can watch the files a policy names. */
    final class Recording implements FileResolver {
        private final FileResolver delegate;
        private final List<Path> resolved = new ArrayList<>();

        public Recording(FileResolver delegate) {
            this.delegate = delegate;
        }

        @Override
        public Path resolve(String location) throws FileNotFoundException {
            Path path = delegate.resolve(location);
            resolved.add(path);
            return path;
        }

        public List<Path> resolved() {
            return List.copyOf(resolved);
        }
    }
}
