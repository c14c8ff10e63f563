package io.tlsgate.bench.inbound;

import org.apache.james.mailrepository.api.MailRepositoryUrl;

import io.tlsgate.demo.DemoServer;

/** One listener under test; {@link BenchConfiguration} writes their configuration, identical but for the certificate check. */
enum Listener {
    STOCK("stock", "bench-stock", "James <clientAuth>, no TLS Gate"),
    GATE("gate", "bench-gate", "James <clientAuth> + TLS Gate handler"),
    ASKING("asking", "bench-asking", "TLS Gate's asking listener, TLS Gate verifies");

    final String label;
    final String jmxName;
    final String description;

    Listener(String label, String jmxName, String description) {
        this.label = label;
        this.jmxName = jmxName;
        this.description = description;
    }

    String recipient() {
        return "bench-" + label + "@" + DemoServer.DOMAIN;
    }

    MailRepositoryUrl repository() {
        return MailRepositoryUrl.from("memory://var/mail/bench-" + label + "/");
    }
}
