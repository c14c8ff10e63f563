package io.tlsgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import io.tlsgate.demo.DemoServer;

/** The log James and TLS Gate write during the integration tests (logback-test.xml: target/it-logs/it.log). */
final class ItLog {
    private ItLog() {
    }

    static String read() {
        try {
            return Files.readString(DemoServer.home().resolve("it-logs/it.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
