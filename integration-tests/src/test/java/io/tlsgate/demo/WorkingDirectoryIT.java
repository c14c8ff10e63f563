package io.tlsgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's --work directory: never wipes someone else's files, never the directory of a running demo. */
class WorkingDirectoryIT {
    @TempDir
    Path temp;

    @Test
    void aDirectoryWithOtherFilesIsLeftAlone() throws Exception {
        Path precious = Files.writeString(Files.createDirectories(temp.resolve("home")).resolve("important.txt"), "x");
        assertThatThrownBy(() -> WorkingDirectory.claim(temp.resolve("home")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("is not empty and is not a TLS Gate demo working directory");
        assertThat(precious).hasContent("x");
    }

    @Test
    void aSecondDemoCannotTakeTheDirectoryOfARunningOne() throws Exception {
        Path work = temp.resolve("work");
        try (WorkingDirectory running = WorkingDirectory.claim(work)) {
            Path pki = Files.writeString(Files.createDirectories(work.resolve("conf/tls")).resolve("ca.crt"), "running demo's CA");
            assertThatThrownBy(() -> WorkingDirectory.claim(work))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a TLS Gate demo is already running in");
            assertThat(pki).hasContent("running demo's CA");
        }
    }

    @Test
    void aDemoDirectoryIsEmptiedForTheNextRun() throws Exception {
        Path work = temp.resolve("work");
        try (WorkingDirectory first = WorkingDirectory.claim(work)) {
            Files.writeString(Files.createDirectories(work.resolve("conf")).resolve("smtpserver.xml"), "old");
        }
        try (WorkingDirectory second = WorkingDirectory.claim(work)) {
            assertThat(work.resolve("conf")).doesNotExist();
        }
    }

    @Test
    void anEmptyOrMissingDirectoryIsTaken() throws Exception {
        try (WorkingDirectory claimed = WorkingDirectory.claim(temp.resolve("new/work"))) {
            assertThat(claimed.path()).isDirectory();
        }
    }
}
