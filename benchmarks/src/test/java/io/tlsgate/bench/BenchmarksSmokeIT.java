package io.tlsgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The verification and access-file benchmarks still run, as the README runs them, on tiny inputs: a policy change
 * that breaks a benchmark's setup fails the build instead of the next person measuring. Nothing is timed.
 */
class BenchmarksSmokeIT {

    private static String run(String mainClass, String... args) throws Exception {
        Path target = Path.of(System.getProperty("tlsgate.benchmarks.target", "target")).toAbsolutePath();
        Path output = Files.createTempFile("benchmark", ".out");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-cp", target.resolve("tlsgate-benchmarks.jar").toString(), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String printed = Files.readString(output);
        assertThat(finished).as(printed).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();
        return printed;
    }

    @Test
    void theAccessFileBenchmarkLoadsBothSides() throws Exception {
        assertThat(run("io.tlsgate.bench.AccessFileBenchmark", "2000"))
            .containsPattern("inbound \\(TLS_Clt\\) +\\d")
            .containsPattern("outbound \\(TLS_Rcpt, TLS_Srv\\) +\\d");
    }

    @Test
    void theVerificationBenchmarkVerifiesColdAndCached() throws Exception {
        assertThat(run("io.tlsgate.bench.VerificationBenchmark", "20")).containsIgnoringCase("cached");
    }
}
