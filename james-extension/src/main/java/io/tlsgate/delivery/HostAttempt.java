package io.tlsgate.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.SendFailedException;
import javax.mail.Session;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.net.ssl.SSLSession;

import org.apache.james.core.MailAddress;
import org.apache.james.transport.mailets.remote.delivery.EnhancedMessagingException;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.HostAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.mail.smtp.SMTPAddressFailedException;


/**
 * One delivery attempt to one MX: a javax.mail session of its own while it runs (the policy's socket factory lives in
 * the session's own properties, where javax.mail looks for it), a connection by address (James's DNS decided it, the
 * JVM's resolver must not), the policy check after STARTTLS, the transaction, and QUIT; or, with connection reuse on,
 * a cached connection judged for the same destination, and the connection kept for the next mail.
 */
@SuppressWarnings("deprecation") // HostAddress is what James's DNS helper gives
final class HostAttempt {
    private static final Logger LOGGER = LoggerFactory.getLogger(HostAttempt.class);

    private final RemoteDeliveryConfiguration configuration;
    private final MessageSending sending;
    private final MailSessions sessions;
    private final ConnectionCache connections;
    private final TlsContexts contexts = new TlsContexts();

    HostAttempt(RemoteDeliveryConfiguration configuration, MessageSending sending, MailSessions sessions, ConnectionCache connections) {
        this.configuration = configuration;
        this.sending = sending;
        this.sessions = sessions;
        this.connections = connections;
    }

    /** @param key what this attempt judges (policy, rules, domain, MX): a cached connection with the same key may carry it */
    HostResult deliver(Mail mail, List<MailAddress> recipients, HostAddress host, TlsCheck check, ConnectionKey key) {
        Optional<HostResult> reused = overCachedConnection(mail, recipients, check, key);
        if (reused.isPresent()) {
            return reused.get();
        }
        boolean implicitTls = "smtps".equalsIgnoreCase(host.getProtocol());
        String where = host.getHostName() + "[" + host.getHost() + "]:" + host.getPort();
        PolicySocketFactory sockets = new PolicySocketFactory(host.getHostName(), contexts.of(check.clientCertificate()));
        Session session = sessions.take(implicitTls);
        setProperties(session.getProperties(), mail, check, sockets, implicitTls);
        TlsPolicySmtpTransport transport = new TlsPolicySmtpTransport(session, host, implicitTls, sockets, check);
        transport.setLocalHost(configuration.getHeloNameProvider().getHeloName());
        boolean delivered = false;
        try {
            if (configuration.getAuthUser() != null) {
                transport.connect(host.getHost(), host.getPort(), configuration.getAuthUser(), configuration.getAuthPass());
            } else {
                transport.connect();
            }
            sending.send(mail, transport, addresses(recipients));
            delivered = true;
            return HostResult.delivered(where, recipients);
        } catch (TlsPolicyRefusal refusal) {
            return HostResult.policyRefused(where, refusal.getMessage(), !refusal.verdict().temporary());
        } catch (MessagingException failure) {
            return failed(where, recipients, failure);
        } catch (RuntimeException failure) {
            return unexpected(mail, where, failure);
        } finally {
            if (delivered && connections.enabled() && acceptedTls(check, sockets)) {
                // The connection (and its session) now belongs to the cache, which closes it in time.
                ReusableConnection connection = new ReusableConnection(key, transport, sockets, session, implicitTls, sessions, where);
                connection.delivered();
                connections.offer(connection);
            } else {
                close(mail, where, transport);
                sessions.giveBack(session, implicitTls);
            }
        }
    }

    /** Never a reason to give up on a mail: treated as this MX's failure, and said loudly. */
    private static HostResult unexpected(Mail mail, String where, RuntimeException failure) {
        LOGGER.error("Unexpected failure delivering {} to {}", mail.getName(), where, failure);
        return HostResult.unreachable(where, "4.4.0 unexpected error: " + failure);
    }

    /** Only a connection over TLS that the policy check accepted is worth keeping; plaintext never is. */
    private static boolean acceptedTls(TlsCheck check, PolicySocketFactory sockets) {
        return sockets.lastSocket() != null && check.last().map(judgement -> judgement.verdict.accepted()).orElse(false);
    }

    /**
     * The mail over a cached connection with its key, when one answers RSET and its TLS passes this mail's own check
     * (judged again, so the decision is logged for this mail too); empty when none does, and the caller connects
     * afresh. A connection found dead is closed here and costs the mail nothing. Once RSET was answered, a failure
     * is this MX's, as on a new connection.
     */
    private Optional<HostResult> overCachedConnection(Mail mail, List<MailAddress> recipients, TlsCheck check, ConnectionKey key) {
        for (Optional<ReusableConnection> cached = connections.take(key); cached.isPresent(); cached = connections.take(key)) {
            ReusableConnection connection = cached.get();
            if (!connection.reset()) {
                LOGGER.debug("TLS Gate relay: the cached connection to {} is gone; {} goes over a new one", connection.where(),
                    mail.getName());
                connection.close();
                continue;
            }
            Optional<SSLSession> tls = connection.tls();
            if (tls.isEmpty() || !check.judge(tls.get()).verdict.accepted()) {
                // Cannot happen with an equal key; a new connection makes and logs the refusal properly.
                connection.close();
                continue;
            }
            connection.sender(mail.getMaybeSender().asString());
            try {
                sending.send(mail, connection.transport(), addresses(recipients));
            } catch (MessagingException failure) {
                connection.close();
                return Optional.of(failed(connection.where(), recipients, failure));
            } catch (RuntimeException failure) {
                connection.close();
                return Optional.of(unexpected(mail, connection.where(), failure));
            }
            connection.delivered();
            connections.offer(connection);
            return Optional.of(HostResult.delivered(connection.where(), recipients));
        }
        return Optional.empty();
    }

    private void setProperties(Properties properties, Mail mail, TlsCheck check, PolicySocketFactory sockets, boolean implicitTls) {
        PolicySessionProperties.apply(properties, check, sockets, implicitTls);
        properties.put(PolicySessionProperties.prefix(implicitTls) + ".from", mail.getMaybeSender().asString());
    }

    private static List<InternetAddress> addresses(List<MailAddress> recipients) throws AddressException {
        List<InternetAddress> addresses = new ArrayList<>(recipients.size());
        for (MailAddress recipient : recipients) {
            addresses.add(recipient.toInternetAddress().orElseThrow(() -> new AddressException("not an address: " + recipient)));
        }
        return addresses;
    }

    /** What a failed connection or transaction (after the TLS check) means for each recipient. */
    static HostResult failed(String where, List<MailAddress> recipients, MessagingException failure) {
        if (failure instanceof MessageSending.PartlySent) {
            return partlySent(where, recipients, (MessageSending.PartlySent) failure);
        }
        if (failure instanceof SendFailedException) {
            return partial(where, recipients, (SendFailedException) failure);
        }
        return classify(where, failure);
    }

    /**
     * Earlier transactions (NOTIFY groups) went through before one failed: their recipients are delivered, and only
     * the rest is judged by the failure. Never "unreachable": another MX must not get the message for them again.
     */
    private static HostResult partlySent(String where, List<MailAddress> recipients, MessageSending.PartlySent failure) {
        List<MailAddress> sent = mailAddresses(failure.sent().toArray(new Address[0]));
        List<MailAddress> rest = new ArrayList<>(recipients);
        rest.removeAll(sent);
        HostResult after = failed(where, rest, failure.failure());
        List<MailAddress> refused = after.kind == HostResult.Kind.PARTIAL ? after.refused
            : after.kind == HostResult.Kind.REJECTED && after.permanent ? rest : List.of();
        List<MailAddress> delivered = union(sent, after.sent);
        List<MailAddress> unsent = new ArrayList<>(rest);
        unsent.removeAll(delivered);
        unsent.removeAll(refused);
        return HostResult.partial(where, delivered, refused, unsent, after.reason, after.permanentReason(), after.permanent, after.smtpCode);
    }

    /**
     * Some recipients may have been accepted before the failure: they are delivered, whatever happens to the rest.
     * Each of the others is judged by the server's own reply to it: its RCPT reply when RCPT failed, else the reply
     * that ended the transaction (MAIL or end of data). javax.mail's summary says neither: it lists every refused
     * recipient as "invalid" (4xx too), the accepted ones as "unsent" when MAIL or DATA failed, and its message and
     * code are those of the first failure only, or of the final "250 OK" when some recipients went through.
     */
    private static HostResult partial(String where, List<MailAddress> recipients, SendFailedException failure) {
        List<MailAddress> sent = mailAddresses(failure.getValidSentAddresses());
        Map<MailAddress, SMTPAddressFailedException> rcptRefusals = rcptRefusals(failure);
        EnhancedMessagingException enhanced = new EnhancedMessagingException(failure);
        String transactionReply = text(failure);
        if (sent.isEmpty() && rcptRefusals.isEmpty()) {
            // Nothing reported per recipient: MAIL FROM or DATA was refused for all.
            return HostResult.rejected(where, transactionReply, enhanced.isServerError(), enhanced.getReturnCode());
        }
        boolean transactionPermanent = enhanced.getReturnCode().map(HostAttempt::permanentCode).orElse(false);
        List<MailAddress> refused = new ArrayList<>();
        List<MailAddress> unsent = new ArrayList<>();
        Set<String> refusedReplies = new LinkedHashSet<>();
        Set<String> unsentReplies = new LinkedHashSet<>();
        List<Integer> refusedCodes = new ArrayList<>();
        List<Integer> unsentCodes = new ArrayList<>();
        for (MailAddress recipient : recipients) {
            if (sent.contains(recipient)) {
                continue;
            }
            SMTPAddressFailedException own = rcptRefusals.get(recipient);
            boolean permanent = own != null ? permanentCode(own.getReturnCode()) : transactionPermanent;
            String reply = own != null ? text(own) : transactionReply;
            Optional<Integer> code = own != null ? Optional.of(own.getReturnCode()) : enhanced.getReturnCode();
            if (permanent) {
                refused.add(recipient);
                refusedReplies.add(reply);
                code.ifPresent(refusedCodes::add);
            } else {
                unsent.add(recipient);
                unsentReplies.add(reply);
                code.ifPresent(unsentCodes::add);
            }
        }
        return HostResult.partial(where, sent, refused, unsent, String.join("; ", unsentReplies), String.join("; ", refusedReplies),
            unsent.isEmpty(), Stream.concat(refusedCodes.stream(), unsentCodes.stream()).findFirst());
    }

    private static boolean permanentCode(int code) {
        return code >= 500 && code <= 599;
    }

    /** The RCPT refusals javax.mail chains to the exception (each with the server's reply), by recipient. */
    private static Map<MailAddress, SMTPAddressFailedException> rcptRefusals(MessagingException failure) {
        Map<MailAddress, SMTPAddressFailedException> refusals = new LinkedHashMap<>();
        Exception next = failure.getNextException();
        for (int depth = 0; next instanceof MessagingException && depth < 10_000; depth++) {
            if (next instanceof SMTPAddressFailedException) {
                SMTPAddressFailedException refusal = (SMTPAddressFailedException) next;
                mailAddresses(new Address[] {refusal.getAddress()}).forEach(address -> refusals.putIfAbsent(address, refusal));
            }
            next = ((MessagingException) next).getNextException();
        }
        return refusals;
    }

    private static HostResult classify(String where, MessagingException failure) {
        if (String.valueOf(failure.getMessage()).startsWith("Could not convert socket to TLS")) {
            // The handshake itself failed (javax.mail closed the socket: no QUIT is possible). Another MX may do better.
            Exception cause = failure.getNextException();
            return HostResult.unreachable(where, "4.7.0 TLS handshake failed" + (cause == null ? "" : ": " + cause.getMessage()));
        }
        if (failure.getNextException() instanceof IOException) {
            return HostResult.unreachable(where, "4.4.1 " + text(failure));
        }
        String message = String.valueOf(failure.getMessage());
        if (message.startsWith("Could not connect to SMTP host")) {
            // A greeting that is not 220: this MX does not want us now; another may.
            return HostResult.unreachable(where, "4.4.1 " + message);
        }
        EnhancedMessagingException enhanced = new EnhancedMessagingException(failure);
        return HostResult.rejected(where, text(failure), enhanced.isServerError(), enhanced.getReturnCode());
    }

    private static String text(MessagingException failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()).trim());
        Exception next = failure.getNextException();
        if (next != null && next.getMessage() != null && !text.toString().contains(next.getMessage().trim())) {
            text.append(" (").append(next.getMessage().trim()).append(')');
        }
        return text.toString().replaceAll("\\s+", " ");
    }

    private static List<MailAddress> mailAddresses(Address[] addresses) {
        List<MailAddress> result = new ArrayList<>();
        if (addresses != null) {
            for (Address address : addresses) {
                try {
                    result.add(new MailAddress(((InternetAddress) address).getAddress()));
                } catch (AddressException | ClassCastException e) {
                    LOGGER.warn("Ignoring unusable address {} in a delivery report", address);
                }
            }
        }
        return result;
    }

    private static List<MailAddress> union(Collection<MailAddress> a, Collection<MailAddress> b) {
        List<MailAddress> all = new ArrayList<>(a);
        for (MailAddress address : b) {
            if (!all.contains(address)) {
                all.add(address);
            }
        }
        return all;
    }

    private static void close(Mail mail, String where, TlsPolicySmtpTransport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // As RemoteDelivery (JAMES-899): once the server accepted the data, a failed QUIT changes nothing.
            LOGGER.debug("Closing the connection to {} for {} failed: {}", where, mail.getName(), e.toString());
        }
    }

}
