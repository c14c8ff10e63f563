package io.tlsgate.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The JMH benchmarks still run from the built jar, as the README runs them, but once each, briefly, in one JVM and
 * with the smallest table: their set-ups check that the session passes its rule, that every chain verifies and that
 * the prepared lookups hit and miss as intended, so a change that breaks one fails the build. Nothing is timed.
 */
class JmhBenchmarksSmokeIT {

    @Test
    void everyBenchmarkRunsOnce() throws Exception {
        Path target = Path.of(System.getProperty("tlsgate.benchmarks.target", "target")).toAbsolutePath();
        Path output = Files.createTempFile("jmh-benchmarks", ".out");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", target.resolve("tlsgate-benchmarks.jar").toString(), "org.openjdk.jmh.Main", "io.tlsgate.bench.jmh",
                "-f", "0", "-wi", "0", "-i", "1", "-r", "100ms", "-p", "entries=1000", "-foe", "true")
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
            .containsPattern("ChainVerificationBenchmark\\.cachedCrlFiles +(N/A +)?avgt")
            .containsPattern("ChainVerificationBenchmark\\.coldNoRevocation +(N/A +)?avgt")
            .containsPattern("PolicyEvaluationBenchmark\\.evaluate +(N/A +)?avgt")
            .containsPattern("PolicyEvaluationBenchmark\\.readChainFactsThenEvaluate +(N/A +)?avgt")
            .containsPattern("RequirementLookupBenchmark\\.destinationTable +1000 +avgt")
            .containsPattern("RequirementLookupBenchmark\\.peerTable +1000 +avgt");
    }
}
