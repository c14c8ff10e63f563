package io.tlsgate.delivery;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;
import javax.net.ssl.SSLSocket;

import com.sun.mail.smtp.SMTPTransport;

import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.Verdict;

/**
 * javax.mail's SMTP client with the TLS policy applied where Sendmail applies it: right after the handshake (or
 * after the EHLO that did not offer STARTTLS), before the second EHLO, before any AUTH and before MAIL FROM. A
 * session that fails gets QUIT and a {@link TlsPolicyRefusal}; the message is never sent.
 */
final class TlsPolicySmtpTransport extends SMTPTransport {
    private final PolicySocketFactory sockets;
    private final TlsCheck check;
    private boolean judged;
    private boolean startTlsOffered;

    TlsPolicySmtpTransport(Session session, URLName url, boolean implicitTls, PolicySocketFactory sockets, TlsCheck check) {
        super(session, url, implicitTls ? "smtps" : "smtp", implicitTls);
        this.sockets = sockets;
        this.check = check;
    }

    @Override
    protected void startTLS() throws MessagingException {
        super.startTLS();
        judge();
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        if (isSSL() && !judged) {
            // Implicit TLS (smtps): the handshake came with the connection; judge it before saying anything.
            judge();
        }
        boolean ok = super.ehlo(domain);
        if (ok && !isSSL()) {
            startTlsOffered = supportsExtension("STARTTLS");
        }
        // STARTTLS not offered, or never tried with this server (its rule is level none): judged as plaintext.
        // Judged even when the rules allow plaintext, so that the decision is logged and counted like any other.
        if (ok && !isSSL() && !judged && (!check.triesStartTls() || !supportsExtension("STARTTLS"))) {
            judged = true;
            Judgement plaintext = check.judgePlaintext();
            if (!plaintext.verdict.accepted()) {
                refuse(plaintext);
            }
        }
        return ok;
    }

    /** Whether the EHLO reply before TLS offered STARTTLS (the reply after TLS no longer does). */
    boolean startTlsOffered() {
        return startTlsOffered;
    }

    /** RSET before another transaction on a reused connection; fails unless the server answers 250. */
    void reset() throws MessagingException {
        issueCommand("RSET", 250);
    }

    /** What TLS gave, judged once. */
    private void judge() throws MessagingException {
        judged = true;
        SSLSocket socket = sockets.lastSocket();
        if (socket == null) {
            throw new MessagingException("4.7.0 TLS was expected but no TLS socket was made");
        }
        Judgement judgement = check.judge(socket.getSession());
        if (!judgement.verdict.accepted()) {
            refuse(judgement);
        }
    }

    private void refuse(Judgement judgement) throws MessagingException {
        try {
            // Say goodbye properly: the peer sees a QUIT (over TLS when there is TLS), never MAIL FROM.
            issueCommand("QUIT", 221);
        } catch (MessagingException | RuntimeException e) {
            // The refusal stands whatever the peer says to QUIT.
        }
        throw new TlsPolicyRefusal(judgement.verdict, judgement.facts);
    }

    /** A verdict, what it was made on, and the rule that gave it (on acceptance, the first applying rule). */
    static final class Judgement {
        final Verdict verdict;
        final TlsFacts facts;
        final String decidedBy;

        Judgement(Verdict verdict, TlsFacts facts, String decidedBy) {
            this.verdict = verdict;
            this.facts = facts;
            this.decidedBy = decidedBy;
        }
    }
}
