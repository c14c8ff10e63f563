package io.tlsgate.delivery;

import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.mail.Session;

import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;

/**
 * javax.mail sessions for the delivery attempts, kept for the next attempt. A profile of the relay showed
 * {@code Session.getInstance} at a fifth of its CPU: every new session reads javamail.providers and
 * javamail.address.map from each jar of James's class path. An attempt takes a session, fills in its own properties
 * (sender, STARTTLS, socket factory) over the mailet's, and gives it back when its connection is closed; a session is
 * never used by two attempts at once (James's RemoteDelivery pools its sessions for the same reason).
 */
final class MailSessions {
    private final Properties smtp;
    private final Properties smtps;
    private final ConcurrentLinkedQueue<Session> idleSmtp = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Session> idleSmtps = new ConcurrentLinkedQueue<>();

    MailSessions(RemoteDeliveryConfiguration configuration) {
        this.smtp = configuration.createFinalJavaxProperties();
        this.smtps = configuration.createFinalJavaxPropertiesWithSSL();
    }

    /** A session whose properties are the mailet's, for this attempt to complete; give it back after. */
    Session take(boolean implicitTls) {
        Session session = (implicitTls ? idleSmtps : idleSmtp).poll();
        Properties base = implicitTls ? smtps : smtp;
        if (session == null) {
            // Own properties, not defaults: javax.mail reads the socket factory object from the table itself.
            Properties own = new Properties();
            own.putAll(base);
            return Session.getInstance(own);
        }
        Properties properties = session.getProperties();
        properties.clear();
        properties.putAll(base);
        return session;
    }

    /** The session's connection is closed: the session may serve another attempt. */
    void giveBack(Session session, boolean implicitTls) {
        (implicitTls ? idleSmtps : idleSmtp).add(session);
    }
}
