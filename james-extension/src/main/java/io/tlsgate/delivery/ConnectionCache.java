package io.tlsgate.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle verified connections, by {@link ConnectionKey}, for the next mail to the same destination (as Postfix's
 * connection cache). A connection waits at most the idle time and carries at most the message limit; then, and when
 * the relay stops, it is closed with QUIT. Taking a connection removes it from the cache: one attempt at a time.
 */
final class ConnectionCache implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionCache.class);

    private final ReuseSettings settings;
    private final Map<ConnectionKey, Deque<ReusableConnection>> idle = new HashMap<>();
    private final ScheduledExecutorService sweeper;
    private boolean closed;

    private ConnectionCache(ReuseSettings settings, ScheduledExecutorService sweeper) {
        this.settings = settings;
        this.sweeper = sweeper;
    }

    /** A cache that closes idle connections on time; with reuse off, one that keeps nothing. */
    static ConnectionCache start(ReuseSettings settings) {
        if (!settings.enabled()) {
            return new ConnectionCache(settings, null);
        }
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "TlsGate-Relay-ConnectionCache");
            thread.setDaemon(true);
            return thread;
        });
        ConnectionCache cache = new ConnectionCache(settings, sweeper);
        long period = Math.max(10, settings.idleTime().toMillis() / 4);
        sweeper.scheduleWithFixedDelay(cache::closeExpired, period, period, TimeUnit.MILLISECONDS);
        return cache;
    }

    boolean enabled() {
        return settings.enabled();
    }

    /** The most recently used idle connection for this key that has not waited too long; older ones are closed. */
    Optional<ReusableConnection> take(ConnectionKey key) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        List<ReusableConnection> expired = new ArrayList<>();
        Optional<ReusableConnection> found = Optional.empty();
        long now = System.nanoTime();
        synchronized (this) {
            Deque<ReusableConnection> connections = idle.get(key);
            while (connections != null && !connections.isEmpty() && found.isEmpty()) {
                ReusableConnection connection = connections.pollFirst();
                if (expired(connection, now)) {
                    expired.add(connection);
                } else {
                    found = Optional.of(connection);
                }
            }
            if (connections != null && connections.isEmpty()) {
                idle.remove(key);
            }
        }
        expired.forEach(this::quit);
        return found;
    }

    /**
     * A connection whose transaction just completed: kept for the next mail, or closed when reuse is off, the
     * connection has carried its limit, or the cache is closed. Never throws: the mail it carried is delivered.
     */
    void offer(ReusableConnection connection) {
        try {
            if (settings.enabled() && connection.messages() < settings.maxMessages()) {
                connection.idleFrom(System.nanoTime());
                synchronized (this) {
                    if (!closed) {
                        idle.computeIfAbsent(connection.key(), k -> new ArrayDeque<>()).addFirst(connection);
                        return;
                    }
                }
            }
            quit(connection);
        } catch (RuntimeException e) {
            LOGGER.warn("TLS Gate relay: the connection to {} could not be kept or closed", connection.where(), e);
        }
    }

    private boolean expired(ReusableConnection connection, long now) {
        return now - connection.idleSince() >= settings.idleTime().toNanos();
    }

    private void closeExpired() {
        List<ReusableConnection> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Iterator<Deque<ReusableConnection>> all = idle.values().iterator(); all.hasNext(); ) {
                Deque<ReusableConnection> connections = all.next();
                connections.removeIf(c -> expired(c, now) && expired.add(c));
                if (connections.isEmpty()) {
                    all.remove();
                }
            }
        }
        expired.forEach(this::quit);
    }

    private void quit(ReusableConnection connection) {
        LOGGER.debug("TLS Gate relay: closing the connection to {} after {} message(s)", connection.where(), connection.messages());
        connection.close();
    }

    /** QUIT to every idle connection; connections offered later are closed at once. */
    @Override
    public void close() {
        List<ReusableConnection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        all.forEach(this::quit);
    }

    @Override
    public String toString() {
        return settings.enabled() ? "connection reuse on: " + settings : "connection reuse off";
    }
}
