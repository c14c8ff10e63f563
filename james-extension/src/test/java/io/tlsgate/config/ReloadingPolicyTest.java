package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.tlsgate.policy.TlsRequirement;

/** The holder and its watcher, driven by calling check() directly: no sleeping, no timing. */
class ReloadingPolicyTest {
    private static final String HEAD = "<?xml version=\"1.0\"?>\n<tlsgate>\n<inbound>\n";
    private static final String TAIL = "</inbound>\n<outbound><default><level>may</level></default></outbound>\n</tlsgate>\n";

    @TempDir
    Path dir;

    private static String policy(String failure) {
        return HEAD + "<default><level>encrypt</level><failure>" + failure + "</failure></default>\n" + TAIL;
    }

    private ReloadingPolicy<InboundPolicy> holder(Path file, AtomicInteger loads) throws PolicyConfigurationException {
        return ReloadingPolicy.load("inbound policy", () -> {
            loads.incrementAndGet();
            return PolicyFile.readInbound(file, l -> Path.of(l), Clock.systemUTC());
        }, p -> "default rule " + p.rules().defaultRule());
    }

    private static TlsRequirement.Failure failure(ReloadingPolicy<InboundPolicy> holder) {
        return holder.get().rules().defaultRule().failure();
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(ReloadingPolicy.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(ReloadingPolicy.class)).detachAppender(appender);
    }

    @Test
    void anUnchangedFileIsNotReadAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<InboundPolicy> holder = holder(file, loads);
        assertThat(holder.check()).isFalse();
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(holder.check()).as("touched, same content").isFalse();
        assertThat(loads).hasValue(1);
        assertThat(holder.files()).containsOnlyKeys(file);
    }

    @Test
    void anEditOfTheSameSizeIsTakenAndOldSnapshotsStayAsTheyWere() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        ReloadingPolicy<InboundPolicy> holder = holder(file, new AtomicInteger());
        InboundPolicy before = holder.get();
        long size = Files.size(file);
        Files.writeString(file, policy("permanent"));
        assertThat(Files.size(file)).isEqualTo(size);
        ListAppender<ILoggingEvent> log = capture();
        try {
            assertThat(holder.check()).isTrue();
        } finally {
            release(log);
        }
        assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.PERMANENT);
        assertThat(before.rules().defaultRule().failure()).as("a session's snapshot").isEqualTo(TlsRequirement.Failure.TEMPORARY);
        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(log.list.get(0).getFormattedMessage()).startsWith("TLS Gate inbound policy reloaded from " + file + ": default rule ");
        assertThat(holder.check()).as("nothing new").isFalse();
    }

    @Test
    void aFileReplacedByRenameIsTaken() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        ReloadingPolicy<InboundPolicy> holder = holder(file, new AtomicInteger());
        Path next = Files.writeString(dir.resolve("p.xml.new"), policy("permanent"));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(holder.check()).isTrue();
        assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.PERMANENT);
    }

    @Test
    void aBrokenEditIsRefusedOnceLoggedAndTheOldPolicyStays() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<InboundPolicy> holder = holder(file, loads);
        ListAppender<ILoggingEvent> log = capture();
        try {
            Files.writeString(file, HEAD + "<default><level>encrypted</level></default>\n" + TAIL);
            assertThat(holder.check()).isFalse();
            assertThat(holder.check()).as("the same broken content is not read again").isFalse();
            assertThat(loads).hasValue(2);
            assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.TEMPORARY);

            Files.writeString(file, HEAD + "<default><level>encrypt</level></default>\n<client>\n" + TAIL);
            assertThat(holder.check()).as("not well-formed").isFalse();

            Files.writeString(file, policy("permanent"));
            assertThat(holder.check()).as("fixed").isTrue();
            assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.PERMANENT);
        } finally {
            release(log);
        }
        List<ILoggingEvent> events = log.list;
        assertThat(events).extracting(ILoggingEvent::getLevel).containsExactly(Level.ERROR, Level.ERROR, Level.INFO);
        assertThat(events.get(0).getFormattedMessage()).isEqualTo("TLS Gate inbound policy not reloaded: the edit of " + file
            + " is refused and the policy in force stays: TLS Gate configuration error in " + file
            + " <tlsgate> <inbound> <default> <level>: 'encrypted' is not one of none, encrypt, fingerprint, verify");
        assertThat(events.get(1).getFormattedMessage()).contains(file + ": is not well-formed XML: ").contains("is not well-formed XML: line ");
    }

    @Test
    void aDeletedFileKeepsThePolicyAndItsReturnIsTaken() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        ReloadingPolicy<InboundPolicy> holder = holder(file, new AtomicInteger());
        Files.delete(file);
        assertThat(holder.check()).isFalse();
        assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.TEMPORARY);
        Files.writeString(file, policy("permanent"));
        assertThat(holder.check()).isTrue();
    }

    @Test
    void revertingABrokenEditToTheContentInForceNeedsNoReload() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<InboundPolicy> holder = holder(file, loads);
        Files.writeString(file, "<tlsgate>");
        holder.check();
        Files.writeString(file, policy("temporary"));
        assertThat(holder.check()).isFalse();
        assertThat(loads).hasValue(2);
        Files.writeString(file, "<tlsgate>");
        holder.check();
        assertThat(loads).as("the same broken content after a good state is reported again").hasValue(3);
    }

    @Test
    void everyFileALoaderNamesIsWatched() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        Path access = Files.writeString(dir.resolve("access"), "TLS_Clt:192.0.2.1 ENCR:128\n");
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<InboundPolicy> holder = ReloadingPolicy.load("inbound policy", () -> {
            loads.incrementAndGet();
            return PolicyFile.readInbound(file, l -> Path.of(l), Clock.systemUTC()).withFile(access, FileFingerprint.of(access));
        }, p -> "");
        assertThat(holder.files()).containsOnlyKeys(file, access);
        Files.writeString(access, "TLS_Clt:192.0.2.1 ENCR:256\n");
        assertThat(holder.check()).isTrue();
        assertThat(loads).hasValue(2);
    }

    @Test
    void aLoaderThatThrowsUncheckedIsRefusedLikeABadFile() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), "x");
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<String> holder = ReloadingPolicy.load("test policy", () -> {
            if (loads.incrementAndGet() > 1) {
                throw new IllegalStateException("boom");
            }
            return new LoadedPolicy<>("first", Map.of(file, FileFingerprint.of(file)));
        }, p -> p);
        Files.writeString(file, "y");
        assertThat(holder.check()).isFalse();
        assertThat(holder.get()).isEqualTo("first");
    }

    @Test
    void theFirstLoadFailsLikeAConfigurationError() {
        PolicyConfigurationException e = catchThrowableOfType(() -> PolicyFile.readInbound(dir.resolve("none.xml"), l -> Path.of(l),
            Clock.systemUTC()), PolicyConfigurationException.class);
        assertThat(catchThrowableOfType(() -> ReloadingPolicy.load("x", () -> PolicyFile.readInbound(dir.resolve("none.xml"),
            l -> Path.of(l), Clock.systemUTC()), p -> ""), PolicyConfigurationException.class)).hasMessage(e.getMessage());
    }

    @Test
    void theWatcherThreadStartsOnceAndStopsOnClose() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        ReloadingPolicy<InboundPolicy> holder = holder(file, new AtomicInteger());
        holder.start(Duration.ofHours(1));
        holder.start(Duration.ofHours(1));
        assertThat(holder.watching()).isTrue();
        assertThat(watcherThreads()).isEqualTo(1);
        holder.close();
        holder.close();
        assertThat(holder.watching()).isFalse();
        assertThat(watcherThreads()).isZero();
        assertThat(failure(holder)).as("still readable after close").isEqualTo(TlsRequirement.Failure.TEMPORARY);
    }

    @Test
    void aZeroIntervalStartsNoThread() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        ReloadingPolicy<InboundPolicy> holder = holder(file, new AtomicInteger());
        holder.start(Duration.ZERO);
        assertThat(holder.watching()).isFalse();
        holder.close();
    }

    private static long watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("TlsGate-PolicyWatch-") && t.isAlive()).count();
    }

    @Test
    void reloadNowSaysUnchangedReloadedOrRefusedWithTheReadersMessage() throws Exception {
        Path file = Files.writeString(dir.resolve("p.xml"), policy("temporary"));
        AtomicInteger loads = new AtomicInteger();
        ReloadingPolicy<InboundPolicy> holder = holder(file, loads);
        java.time.Instant first = holder.loadedAt();

        ReloadingPolicy.Reload unchanged = holder.reloadNow();
        assertThat(unchanged.status()).isEqualTo(ReloadingPolicy.Reload.Status.UNCHANGED);
        assertThat(unchanged.message()).isEmpty();

        Files.writeString(file, policy("permanent"));
        ReloadingPolicy.Reload reloaded = holder.reloadNow();
        assertThat(reloaded.status()).isEqualTo(ReloadingPolicy.Reload.Status.RELOADED);
        assertThat(reloaded.message()).isEqualTo(file.toString());
        assertThat(failure(holder)).isEqualTo(TlsRequirement.Failure.PERMANENT);
        assertThat(holder.loadedAt()).isAfterOrEqualTo(first);

        Files.writeString(file, policy("sometimes"));
        ReloadingPolicy.Reload refused = holder.reloadNow();
        assertThat(refused.status()).isEqualTo(ReloadingPolicy.Reload.Status.REFUSED);
        assertThat(refused.message()).contains("sometimes").contains("<failure>");
        assertThat(failure(holder)).as("the policy in force stays").isEqualTo(TlsRequirement.Failure.PERMANENT);
        int loadsSoFar = loads.get();
        ReloadingPolicy.Reload again = holder.reloadNow();
        assertThat(again.status()).as("same broken content: same refusal, not read again").isEqualTo(ReloadingPolicy.Reload.Status.REFUSED);
        assertThat(again.message()).isEqualTo(refused.message());
        assertThat(loads).hasValue(loadsSoFar);
    }
}
