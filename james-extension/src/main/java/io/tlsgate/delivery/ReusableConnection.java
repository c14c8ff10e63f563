package io.tlsgate.delivery;

import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open SMTP connection to one MX, over TLS that its policy check accepted, after a completed transaction: what
 * the {@link ConnectionCache} keeps for the next mail with the same {@link ConnectionKey}. It owns its javax.mail
 * session until it is closed.
 */
final class ReusableConnection {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReusableConnection.class);

    private final ConnectionKey key;
    private final TlsPolicySmtpTransport transport;
    private final PolicySocketFactory sockets;
    private final Session session;
    private final boolean implicitTls;
    private final MailSessions sessions;
    private final String where;
    private int messages;
    private long idleSince;

    ReusableConnection(ConnectionKey key, TlsPolicySmtpTransport transport, PolicySocketFactory sockets, Session session,
                       boolean implicitTls, MailSessions sessions, String where) {
        this.key = key;
        this.transport = transport;
        this.sockets = sockets;
        this.session = session;
        this.implicitTls = implicitTls;
        this.sessions = sessions;
        this.where = where;
    }

    ConnectionKey key() {
        return key;
    }

    TlsPolicySmtpTransport transport() {
        return transport;
    }

    /** "mx.example[192.0.2.7]:25" */
    String where() {
        return where;
    }

    /** The TLS session the connection runs over, for the next mail's own policy check. */
    Optional<SSLSession> tls() {
        SSLSocket socket = sockets.lastSocket();
        return socket == null ? Optional.empty() : Optional.of(socket.getSession());
    }

    /** The envelope sender of the next transaction (javax.mail reads it from the session when it sends MAIL FROM). */
    void sender(String sender) {
        session.getProperties().put((implicitTls ? "mail.smtps" : "mail.smtp") + ".from", sender);
    }

    /** Messages handed over on this connection so far. */
    int messages() {
        return messages;
    }

    void delivered() {
        messages++;
    }

    long idleSince() {
        return idleSince;
    }

    void idleFrom(long nanos) {
        idleSince = nanos;
    }

    /** RSET before the next mail: false when the server is gone or does not answer 250 (the connection is then useless). */
    boolean reset() {
        try {
            transport.reset();
            return true;
        } catch (MessagingException | RuntimeException e) {
            LOGGER.debug("TLS Gate relay: the cached connection to {} failed RSET: {}", where, e.toString());
            return false;
        }
    }

    /** QUIT (javax.mail closes the socket whatever the answer), then the session may serve another attempt. */
    void close() {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            LOGGER.debug("TLS Gate relay: closing the cached connection to {} failed: {}", where, e.toString());
        } finally {
            sessions.giveBack(session, implicitTls);
        }
    }

    @Override
    public String toString() {
        return where + " (" + messages + " message(s))";
    }
}
