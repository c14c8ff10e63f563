package io.tlsgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real SMTP peers that no one here wrote (swaks, openssl s_client) and returns what they printed. */
final class Peers {
    private Peers() {
    }

    /** A finished run of an external program: its exit code and its stdout and stderr together. */
    static final class Run {
        final int exitCode;
        final String output;

        Run(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + output;
        }
    }

    static Run swaks(String... arguments) {
        List<String> command = new ArrayList<>(List.of("swaks", "--timeout", "30"));
        command.addAll(List.of(arguments));
        return run(command, null);
    }

    /** openssl s_client, with {@code input} typed after the handshake (CRLF line ends, EOF ignored). */
    static Run opensslClient(String input, String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-crlf", "-ign_eof", "-quiet"));
        command.addAll(List.of(arguments));
        return run(command, input);
    }

    /** openssl s_client printing its session details (server certificate, CA names of the certificate request). */
    static Run opensslClientVerbose(String input, String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-crlf", "-ign_eof"));
        command.addAll(List.of(arguments));
        return run(command, input);
    }

    private static Run run(List<String> command, String input) {
        try {
            Path log = java.nio.file.Files.createTempFile("peer", ".log");
            Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
            }
            process.getOutputStream().close();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("did not finish within 90 s: " + command);
            }
            String output = java.nio.file.Files.readString(log).replace("\r\n", "\n");
            java.nio.file.Files.delete(log);
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (installed by .ci/run): " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
