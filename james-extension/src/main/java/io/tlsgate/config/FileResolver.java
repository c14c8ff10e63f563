package io.tlsgate.config;

import java.io.FileNotFoundException;
import java.nio.file.Path;

/** Turns a file name as James configurations write it ("file://conf/tls/ca.pem") into a path. */
@FunctionalInterface
public interface FileResolver {
    Path resolve(String location) throws FileNotFoundException;
}
