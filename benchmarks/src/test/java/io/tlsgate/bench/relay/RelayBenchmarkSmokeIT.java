package io.tlsgate.bench.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The relay benchmark still runs: the built jar, as the README runs it, with a handful of messages. It asserts only
 * that every message arrived exactly once on the three paths, stock, TLS Gate, and TLS Gate with connection reuse
 * (which the program checks before printing any figure), and that the table names them; it times nothing.
 */
class RelayBenchmarkSmokeIT {

    @Test
    void aTinyRunDeliversEveryMessageOnEveryPath() throws Exception {
        Path target = Path.of(System.getProperty("tlsgate.benchmarks.target", "target")).toAbsolutePath();
        Path output = Files.createTempFile("relay-benchmark", ".out");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", target.resolve("tlsgate-benchmarks-relay.jar").toString(),
                "--messages", "5", "--warmup", "2", "--rounds", "2", "--work", target.resolve("relay-smoke-work").toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String printed = Files.readString(output);
        assertThat(finished).as(printed).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();
        assertThat(printed)
            .contains("Checked: each of the 36 messages (12 via RemoteDelivery, 12 via TlsRemoteDelivery, 12 via"
                + " TlsRemoteDelivery+reuse, warm-up included) arrived exactly once, over TLS, to its recipient; queues empty; no bounce.")
            .containsPattern("RemoteDelivery: 12 TLSv1\\.[23] \\S+; TlsRemoteDelivery: 12 TLSv1\\.[23] \\S+;"
                + " TlsRemoteDelivery\\+reuse: 12 TLSv1\\.[23] \\S+")
            .containsPattern("ratio TlsRemoteDelivery / RemoteDelivery: +\\d+\\.\\d\\d")
            .containsPattern("ratio TlsRemoteDelivery\\+reuse / RemoteDelivery: +\\d+\\.\\d\\d")
            .containsPattern("TlsRemoteDelivery\\+reuse \\(verify, reuse on\\) +\\d+\\.\\d");
    }
}
