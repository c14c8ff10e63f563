package io.tlsgate.bench.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The inbound benchmark still runs: the built jar, as the README runs it, with a few sessions on each listener. It
 * asserts what the program checks before printing any figure (the gate is in the path, every message arrived once
 * in its listener's repository) and that the table is there; it times nothing.
 */
class InboundBenchmarkSmokeIT {

    @Test
    void aTinyRunDeliversEveryMessageThroughEachListener() throws Exception {
        Path target = Path.of(System.getProperty("tlsgate.benchmarks.target", "target")).toAbsolutePath();
        Path output = Files.createTempFile("inbound-benchmark", ".out");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", target.resolve("tlsgate-benchmarks-inbound.jar").toString(),
                "--clients", "2", "--sessions", "4", "--messages", "2", "--rounds", "3", "--warmup", "2",
                "--work", target.resolve("inbound-smoke-work").toString())
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
        // 3 listeners x (2 warm-up sessions + 3 rounds x 4 sessions) x 2 messages
        assertThat(printed)
            .contains("Checked: the gate is in the path (certificate for mx.elsewhere.demo.test, EHLO after STARTTLS): stock \"250 ")
            .containsPattern("gate \"554 5\\.7\\.0 [^\"]+\", asking \"554 5\\.7\\.0 ")
            .contains("Checked: each of the 84 messages (28 via stock, 28 via gate, 28 via asking, warm-up included) is in its"
                + " listener's repository exactly once; nothing unexpected, nothing in error.")
            .containsPattern("stock: 14 TLSv1\\.[23] \\S+; gate: 14 TLSv1\\.[23] \\S+; asking: 14 TLSv1\\.[23] \\S+")
            .containsPattern("ratio gate / stock: +\\d+\\.\\d{3} msg/s")
            .containsPattern("ratio asking / stock: +\\d+\\.\\d{3} msg/s")
            .containsPattern("cpu ratio stock / gate: \\d+\\.\\d{3}")
            .containsPattern("cpu ratio stock / asking: \\d+\\.\\d{3}");
    }
}
