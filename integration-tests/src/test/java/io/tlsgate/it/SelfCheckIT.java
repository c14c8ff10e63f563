package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The demo's acceptance run exactly as the README gives it: {@code java -jar target/tlsgate-demo.jar --self-check}
 * in its own JVM (default JDK security settings, not the test JVM's).
 */
class SelfCheckIT {

    @Test
    void everySelfCheckCasePasses() throws Exception {
        Path home = SampleServer.home();
        Path output = Files.createTempFile("self-check", ".out");
        Process process = new ProcessBuilder(javaCommand(), "-jar", home.resolve("tlsgate-demo.jar").toString(),
                "--self-check", "--work", home.resolve("it-work/SelfCheckIT").toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("self-check finished").isTrue();
        String printed = Files.readString(output);
        List<String> results = Arrays.stream(printed.split("\n"))
            .filter(l -> l.startsWith("PASS ") || l.startsWith("FAIL "))
            .collect(Collectors.toList());

        assertThat(process.exitValue()).as(printed).isZero();
        assertThat(results).as(printed).allMatch(l -> l.startsWith("PASS "));
        assertThat(results.stream().map(l -> l.split(" ")[1]))
            .contains("inbound.accepted", "inbound.no-tls", "inbound.weak-cipher.tlsv1.3", "inbound.old-protocol",
                "inbound.certificate-accepted", "inbound.certificate-identity-mismatch", "inbound.after-refusal.rset",
                "inbound.after-refusal.noop", "inbound.after-refusal.vrfy", "inbound.after-refusal.ehlo",
                "inbound.after-refusal.quit", "inbound.disconnect.closed", "inbound.pipelined-after-starttls",
                "outbound.delivered", "outbound.queued", "outbound.queued.quit-before-mail", "outbound.no-starttls",
                "outbound.bounced", "outbound.bounced.quit-before-mail",
                "sendmail.non-tls-entry-ignored", "sendmail.inbound.tls-clt-refused", "sendmail.inbound.tls-clt-passed",
                "sendmail.inbound.tls-clt-no-starttls-temporary", "sendmail.outbound.tls-rcpt-queued",
                "sendmail.outbound.tls-rcpt-queued.quit-before-mail", "sendmail.outbound.tls-rcpt-bounced",
                "sendmail.outbound.tls-rcpt-bounced.quit-before-mail", "sendmail.outbound.try-tls-no",
                "reload.before-edit", "reload.rule-changed", "reload.session-kept", "reload.broken-edit-refused",
                "reload.fixed-edit-taken", "reload.outbound-rule-changed",
                "admin.unauthenticated", "admin.effective-policy", "admin.effective-policy.bad-input", "admin.probe.accepted",
                "admin.probe.refused", "admin.reload.broken-edit-refused", "admin.reload", "admin.refusals", "admin.metrics");
        assertThat(printed).contains("SELF-CHECK PASSED");
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
