package io.tlsgate.delivery;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import javax.mail.MessagingException;

import org.apache.james.util.DurationParser;
import org.apache.mailet.MailetConfig;

/**
 * The relay's connection reuse settings: {@code <connectionReuse>} (true or false; false by default),
 * {@code <connectionReuseLimit>} (messages per connection, 2 to 1000; 10 by default: always bounded, where Postfix's
 * smtp_connection_reuse_count_limit may be unlimited) and {@code <connectionReuseIdleTime>}
 * (how long a connection waits for the next mail, 100 ms to 5 minutes; 2 seconds by default, as Postfix's
 * smtp_connection_cache_time_limit). A limit written while reuse is off is refused: it would do nothing, and whoever
 * wrote it meant reuse.
 */
final class ReuseSettings {
    static final String REUSE = "connectionReuse";
    static final String LIMIT = "connectionReuseLimit";
    static final String IDLE_TIME = "connectionReuseIdleTime";
    static final List<String> NAMES = List.of(REUSE, LIMIT, IDLE_TIME);
    static final int DEFAULT_LIMIT = 10;
    static final Duration DEFAULT_IDLE_TIME = Duration.ofSeconds(2);
    private static final int MAX_LIMIT = 1000;
    private static final Duration MIN_IDLE_TIME = Duration.ofMillis(100);
    private static final Duration MAX_IDLE_TIME = Duration.ofMinutes(5);

    private final boolean enabled;
    private final int maxMessages;
    private final Duration idleTime;

    private ReuseSettings(boolean enabled, int maxMessages, Duration idleTime) {
        this.enabled = enabled;
        this.maxMessages = maxMessages;
        this.idleTime = idleTime;
    }

    static ReuseSettings off() {
        return new ReuseSettings(false, DEFAULT_LIMIT, DEFAULT_IDLE_TIME);
    }

    static ReuseSettings from(MailetConfig config) throws MessagingException {
        String reuse = config.getInitParameter(REUSE);
        String limit = config.getInitParameter(LIMIT);
        String idle = config.getInitParameter(IDLE_TIME);
        boolean enabled = false;
        if (reuse != null) {
            String value = reuse.trim().toLowerCase(Locale.ROOT);
            if (!value.equals("true") && !value.equals("false")) {
                throw error(REUSE, reuse, "is neither true nor false");
            }
            enabled = value.equals("true");
        }
        if (!enabled && (limit != null || idle != null)) {
            String name = limit != null ? LIMIT : IDLE_TIME;
            throw new MessagingException("TLS Gate relay: <" + name + "> is set but connection reuse is off: add"
                + " <" + REUSE + ">true</" + REUSE + "> to reuse connections, or remove <" + name + ">");
        }
        int maxMessages = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                maxMessages = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                throw error(LIMIT, limit, "is not a whole number");
            }
            if (maxMessages < 2 || maxMessages > MAX_LIMIT) {
                throw error(LIMIT, limit, "is out of range (2 to " + MAX_LIMIT + " messages per connection)");
            }
        }
        Duration idleTime = DEFAULT_IDLE_TIME;
        if (idle != null) {
            try {
                idleTime = DurationParser.parse(idle.trim(), ChronoUnit.SECONDS);
            } catch (RuntimeException e) {
                throw error(IDLE_TIME, idle, "is not a duration such as '2 seconds' or '500 ms' (" + e.getMessage() + ")");
            }
            if (idleTime.compareTo(MIN_IDLE_TIME) < 0 || idleTime.compareTo(MAX_IDLE_TIME) > 0) {
                throw error(IDLE_TIME, idle, "is out of range (100 ms to 5 minutes)");
            }
        }
        return new ReuseSettings(enabled, maxMessages, idleTime);
    }

    boolean enabled() {
        return enabled;
    }

    int maxMessages() {
        return maxMessages;
    }

    Duration idleTime() {
        return idleTime;
    }

    private static MessagingException error(String name, String value, String problem) {
        return new MessagingException("TLS Gate relay: <" + name + ">" + value + "</" + name + ">: " + problem);
    }

    @Override
    public String toString() {
        return "at most " + maxMessages + " messages per connection, idle at most " + idleTime.toMillis() + " ms";
    }
}
