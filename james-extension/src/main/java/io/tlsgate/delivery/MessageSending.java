package io.tlsgate.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.Converter7Bit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.mail.smtp.SMTPMessage;
import com.sun.mail.smtp.SMTPTransport;

/**
 * Hands a mail to an open transport the way James's RemoteDelivery does: 7-bit conversion for servers without
 * 8BITMIME, and DSN parameters (NOTIFY per recipient group, RET, ENVID) when the mail carries them.
 */
final class MessageSending {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageSending.class);

    private final Converter7Bit converter;

    MessageSending(Converter7Bit converter) {
        this.converter = converter;
    }

    void send(Mail mail, SMTPTransport transport, Collection<InternetAddress> recipients) throws MessagingException {
        MimeMessage message = adapt(mail.getMessage(), transport);
        if (mail.dsnParameters().isEmpty()) {
            transport.sendMessage(message, recipients.toArray(new InternetAddress[0]));
            return;
        }
        DsnParameters dsn = mail.dsnParameters().get();
        Map<Optional<Integer>, List<InternetAddress>> byNotify = new LinkedHashMap<>();
        for (InternetAddress recipient : recipients) {
            Optional<Integer> notify;
            try {
                notify = Optional.ofNullable(dsn.getRcptParameters().get(new MailAddress(recipient.getAddress())))
                    .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                    .map(MessageSending::notify);
            } catch (AddressException e) {
                notify = Optional.empty();
            }
            byNotify.computeIfAbsent(notify, n -> new ArrayList<>()).add(recipient);
        }
        // One transaction per NOTIFY group: once one went through, a later failure must not undo it.
        List<InternetAddress> sent = new ArrayList<>();
        for (Map.Entry<Optional<Integer>, List<InternetAddress>> group : byNotify.entrySet()) {
            SMTPMessage smtpMessage = new SMTPMessage(message);
            dsn.getRetParameter().ifPresent(ret -> smtpMessage.setReturnOption(ret == DsnParameters.Ret.FULL
                ? SMTPMessage.RETURN_FULL : SMTPMessage.RETURN_HDRS));
            dsn.getEnvIdParameter().filter(id -> transport.supportsExtension("DSN"))
                .ifPresent(id -> smtpMessage.setMailExtension("ENVID=" + id.asString()));
            group.getKey().ifPresent(smtpMessage::setNotifyOptions);
            try {
                transport.sendMessage(smtpMessage, group.getValue().toArray(new InternetAddress[0]));
            } catch (MessagingException failure) {
                if (sent.isEmpty()) {
                    throw failure;
                }
                throw new PartlySent(sent, failure);
            }
            sent.addAll(group.getValue());
        }
    }

    /**
     * A later transaction failed after earlier ones (other NOTIFY groups) were accepted: those recipients have the
     * message, whatever {@link #failure()} says about the rest.
     */
    static final class PartlySent extends MessagingException {
        private static final long serialVersionUID = 1L;

        private final transient List<InternetAddress> sent;
        private final MessagingException failure;

        PartlySent(List<InternetAddress> sent, MessagingException failure) {
            super(failure.getMessage(), failure);
            this.sent = List.copyOf(sent);
            this.failure = failure;
        }

        List<InternetAddress> sent() {
            return sent;
        }

        MessagingException failure() {
            return failure;
        }
    }

    private static int notify(EnumSet<DsnParameters.Notify> notifies) {
        int options = 0;
        for (DsnParameters.Notify notify : notifies) {
            switch (notify) {
                case NEVER:
                    options |= SMTPMessage.NOTIFY_NEVER;
                    break;
                case SUCCESS:
                    options |= SMTPMessage.NOTIFY_SUCCESS;
                    break;
                case FAILURE:
                    options |= SMTPMessage.NOTIFY_FAILURE;
                    break;
                default:
                    options |= SMTPMessage.NOTIFY_DELAY;
            }
        }
        return options;
    }

    /** A server without 8BITMIME gets 7-bit content (javax.mail does not convert by itself). */
    private MimeMessage adapt(MimeMessage message, SMTPTransport transport) throws MessagingException {
        if (!transport.supportsExtension("8BITMIME")) {
            try {
                converter.convertTo7Bit(message);
            } catch (IOException e) {
                LOGGER.error("Error during the conversion to 7 bit", e);
            }
        }
        return message;
    }
}
