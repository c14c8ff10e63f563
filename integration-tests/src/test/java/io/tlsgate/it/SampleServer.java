package io.tlsgate.it;

import java.nio.file.Path;

import io.tlsgate.demo.DemoServer;

/** Boots the conf-samples set as shipped (binds moved to free loopback ports) for one test class. */
final class SampleServer {
    private SampleServer() {
    }

    static DemoServer.Setup setup(String testName) {
        return new DemoServer.Setup(DemoServer.home(), DemoServer.home().resolve("it-work").resolve(testName));
    }

    static DemoServer start(String testName) throws Exception {
        return setup(testName).start();
    }

    static Path home() {
        return DemoServer.home();
    }
}
