package io.tlsgate.demo.peer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** One message the {@link SmtpPeer} accepted (end of data answered 2xx): its envelope and its data. Immutable. */
public final class Received {
    private final int sessionId;
    private final boolean tls;
    private final String sender;
    private final List<String> mailParameters;
    private final List<String> recipients;
    private final byte[] data;
    private final Instant receivedAt;

    Received(int sessionId, boolean tls, String sender, List<String> mailParameters, List<String> recipients, byte[] data) {
        this.sessionId = sessionId;
        this.tls = tls;
        this.sender = sender;
        this.mailParameters = List.copyOf(mailParameters);
        this.recipients = List.copyOf(recipients);
        this.data = data.clone();
        this.receivedAt = Instant.now();
    }

    /** The {@link Session#id()} of the connection that carried it. */
    public int sessionId() {
        return sessionId;
    }

    /** Whether it came over TLS (after a successful STARTTLS). */
    public boolean tls() {
        return tls;
    }

    /** The envelope sender without angle brackets; "" for the null sender {@code <>}. */
    public String sender() {
        return sender;
    }

    /** The MAIL FROM parameters as sent, e.g. ["SIZE=1234", "RET=HDRS"]. */
    public List<String> mailParameters() {
        return mailParameters;
    }

    /** The accepted recipients (RCPT answered 2xx), without angle brackets, in order. */
    public List<String> recipients() {
        return recipients;
    }

    /**
     * The message as received: dot-unstuffed, line ends as the client sent them (CRLF from a well-behaved client),
     * without the terminating "." line. A copy.
     */
    public byte[] data() {
        return data.clone();
    }

    /** {@link #data()} decoded as UTF-8. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    @Override
    public String toString() {
        return "session " + sessionId + (tls ? " (TLS)" : "") + ": <" + sender + "> -> " + recipients + ", " + data.length + " bytes";
    }
}
