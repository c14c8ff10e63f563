package io.tlsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, read from files, and a small polling watcher that replaces it when one of those files changes.
 *
 * <ul>
 *   <li>{@link #get()} returns the current immutable policy (an atomic reference): callers take it once per SMTP
 *       session or delivery attempt and keep it, so a reload never changes a decision under way.</li>
 *   <li>{@link #check()} compares the SHA-256 of every file the policy was read from with what was parsed; on a
 *       difference it reads the policy again. A new policy replaces the old one only when it reads without error;
 *       otherwise the old one stays and the reader's message (file, element or line) is logged once per broken
 *       content, not at every check.</li>
 *   <li>{@link #start(Duration)} runs {@link #check()} on one daemon thread every interval; {@link #close()} stops
 *       and joins it. Polling, not a WatchService: editors that write a new file and rename it over the old one
 *       are seen as reliably as in-place writes.</li>
 * </ul>
 */
public final class ReloadingPolicy<P> implements Supplier<P>, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadingPolicy.class);

    /** What a reload did: took a new policy, found nothing changed, or refused the edit (the old policy stays). */
    public static final class Reload {
        /** The three outcomes, named as the admin surface reports them. */
        public enum Status { RELOADED, UNCHANGED, REFUSED }

        private static final Reload UNCHANGED = new Reload(Status.UNCHANGED, "");

        private final Status status;
        private final String message;

        private Reload(Status status, String message) {
            this.status = status;
            this.message = message;
        }

        public static Reload unchanged() {
            return UNCHANGED;
        }

        static Reload reloaded(String message) {
            return new Reload(Status.RELOADED, message);
        }

        static Reload refused(String message) {
            return new Reload(Status.REFUSED, message);
        }

        public Status status() {
            return status;
        }

        /** Reloaded: which files changed; refused: the reader's message; unchanged: empty. */
        public String message() {
            return message;
        }
    }

    /** Reads the policy and says which files it read. */
    @FunctionalInterface
    public interface Loader<P> {
        LoadedPolicy<P> load() throws PolicyConfigurationException;
    }

    private final String name;
    private final Loader<P> loader;
    private final Function<P, String> summary;
    private final AtomicReference<P> current;
    /** The files of the policy in force, with the hash of what was parsed. */
    private Map<Path, String> loaded;
    /** The file contents last refused, so a broken edit is logged once, and why. */
    private Map<Path, String> refused;
    private String refusal = "";
    private Instant loadedAt = Instant.now();
    private ScheduledExecutorService timer;
    private Thread thread;

    private ReloadingPolicy(String name, Loader<P> loader, Function<P, String> summary, LoadedPolicy<P> first) {
        this.name = name;
        this.loader = loader;
        this.summary = summary;
        this.current = new AtomicReference<>(first.policy());
        this.loaded = first.files();
    }

    /**
     * Reads the policy a first time: an error here is a configuration error (James does not start).
     *
     * @param name what is reloaded, for the log ("inbound policy", "outbound policy")
     * @param summary one line about a policy, for the log
     */
    public static <P> ReloadingPolicy<P> load(String name, Loader<P> loader, Function<P, String> summary) throws PolicyConfigurationException {
        return new ReloadingPolicy<>(name, loader, summary, loader.load());
    }

    @Override
    public P get() {
        return current.get();
    }

    /** The files watched: those the policy in force was read from. */
    public synchronized Map<Path, String> files() {
        return loaded;
    }

    /** When the policy in force was read. */
    public synchronized Instant loadedAt() {
        return loadedAt;
    }

    /**
     * Looks at the files once and reloads when one changed. Never throws.
     *
     * @return true when a new policy was taken
     */
    public boolean check() {
        return reloadNow().status() == Reload.Status.RELOADED;
    }

    /**
     * Looks at the files now and reloads when one changed (the watcher does the same every interval; an
     * administrator may not want to wait). Never throws. A broken edit is refused (and logged once); asked again
     * about the same content, the same refusal is returned.
     */
    public synchronized Reload reloadNow() {
        try {
            Map<Path, String> now = new LinkedHashMap<>();
            for (Path file : loaded.keySet()) {
                now.put(file, FileFingerprint.of(file));
            }
            if (now.equals(loaded)) {
                refused = null;
                return Reload.unchanged();
            }
            if (now.equals(refused)) {
                return Reload.refused(refusal);
            }
            LoadedPolicy<P> next;
            try {
                next = loader.load();
            } catch (PolicyConfigurationException | RuntimeException e) {
                refused = now;
                refusal = String.valueOf(e.getMessage());
                LOGGER.error("TLS Gate {} not reloaded: the edit of {} is refused and the policy in force stays: {}", name,
                    changed(loaded, now), e.getMessage());
                return Reload.refused(refusal);
            }
            String edited = changed(loaded, now);
            current.set(next.policy());
            loaded = next.files();
            loadedAt = Instant.now();
            refused = null;
            Path primary = loaded.keySet().iterator().next();
            LOGGER.info("TLS Gate {} reloaded from {}{}: {}", name, primary, edited.equals(primary.toString()) ? "" : " (" + edited + " changed)",
                summary.apply(next.policy()));
            return Reload.reloaded(edited);
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: keep watching.
            LOGGER.error("TLS Gate {}: checking {} for changes failed", name, files(loaded), e);
            return Reload.refused("checking " + files(loaded) + " for changes failed: " + e);
        }
    }

    /** Checks every {@code interval} on a daemon thread of its own; zero: never. Once only. */
    public synchronized void start(Duration interval) {
        Objects.requireNonNull(interval);
        if (interval.isZero() || timer != null) {
            return;
        }
        // Named after the policy file, which comes first (then the files it names).
        String threadName = "TlsGate-PolicyWatch-" + loaded.keySet().stream().map(p -> String.valueOf(p.getFileName()))
            .findFirst().orElse("policy");
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            synchronized (this) {
                thread = t;
            }
            return t;
        });
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
        LOGGER.info("TLS Gate {}: watching {} for changes every {}", name, files(loaded),
            millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms");
    }

    /** Stops the watcher and waits for a check under way. Idempotent; the policy stays readable. */
    @Override
    public void close() {
        ScheduledExecutorService stopping;
        Thread running;
        synchronized (this) {
            stopping = timer;
            running = thread;
            timer = null;
            thread = null;
        }
        if (stopping == null) {
            return;
        }
        stopping.shutdownNow();
        try {
            if (!stopping.awaitTermination(10, TimeUnit.SECONDS)) {
                LOGGER.warn("TLS Gate {}: the policy watcher did not stop within 10 seconds", name);
            } else if (running != null) {
                running.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while the watcher thread runs (tests). */
    public synchronized boolean watching() {
        return timer != null && !timer.isShutdown();
    }

    /** "the policy file", or "the policy file and the files it names [a, b]". */
    private static String files(Map<Path, String> files) {
        java.util.List<Path> all = new java.util.ArrayList<>(files.keySet());
        return all.size() == 1 ? all.get(0).toString() : all.get(0) + " and the files it names " + all.subList(1, all.size());
    }

    /** The files whose content differs: one path alone, several as a list. */
    private static String changed(Map<Path, String> before, Map<Path, String> now) {
        java.util.List<Path> changed = new java.util.ArrayList<>();
        now.forEach((file, hash) -> {
            if (!hash.equals(before.get(file))) {
                changed.add(file);
            }
        });
        return changed.size() == 1 ? changed.get(0).toString() : changed.toString();
    }
}
