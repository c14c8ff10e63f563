package io.tlsgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;

import javax.mail.Address;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.Converter7Bit;
import org.junit.jupiter.api.Test;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;

/**
 * A mail whose recipients carry different DSN NOTIFY values goes out in one transaction per NOTIFY group. When a
 * later transaction fails, the recipients of the earlier ones already have the message: they must count as
 * delivered, never be retried (or sent to the next MX) and so receive it twice.
 */
class DsnGroupDeliveryTest {
    private static final String WHERE = "mx.peer.test[127.0.0.1]:25";
    private static final MailAddress FIRST = address("first@peer.test");
    private static final MailAddress SECOND = address("second@peer.test");

    /** Accepts the first transaction; the second one throws what it is given. */
    private static final class SecondTransactionFails extends SMTPTransport {
        private final MessagingException failure;
        private final List<List<Address>> transactions = new ArrayList<>();

        SecondTransactionFails(MessagingException failure) {
            super(Session.getInstance(new Properties()), new URLName("smtp://mx.peer.test"));
            this.failure = failure;
        }

        @Override
        public synchronized void sendMessage(Message message, Address[] addresses) throws MessagingException {
            transactions.add(List.of(addresses));
            if (transactions.size() > 1 && failure != null) {
                throw failure;
            }
        }

        @Override
        public boolean supportsExtension(String extension) {
            return "8BITMIME".equals(extension) || "DSN".equals(extension);
        }
    }

    @Test
    void withoutAFailureEachNotifyGroupIsOneTransaction() throws Exception {
        SecondTransactionFails transport = new SecondTransactionFails(null);
        send(transport);
        assertThat(transport.transactions).containsExactly(List.of(internet(FIRST)), List.of(internet(SECOND)));
    }

    @Test
    void aRecipientRefusedInTheSecondTransactionLeavesTheFirstOneDelivered() throws Exception {
        MessagingException failure = new SMTPSendFailedException("RCPT TO", 550, "550 5.1.1 no such user", null,
            new Address[0], new Address[0], new Address[] {internet(SECOND)});

        HostResult result = HostAttempt.failed(WHERE, List.of(FIRST, SECOND), sendFailing(failure));

        assertThat(result.kind).isEqualTo(HostResult.Kind.PARTIAL);
        assertThat(result.sent).containsExactly(FIRST);
        assertThat(result.refused).containsExactly(SECOND);
        assertThat(result.unsent).isEmpty();
        assertThat(result.reason).contains("550 5.1.1 no such user");
    }

    @Test
    void aConnectionLostInTheSecondTransactionLeavesTheFirstOneDeliveredAndOnlyTheRestForLater() throws Exception {
        MessagingException failure = new MessagingException("Can't send command to SMTP host", new SocketException("Connection reset"));

        HostResult result = HostAttempt.failed(WHERE, List.of(FIRST, SECOND), sendFailing(failure));

        // Not "unreachable": that would give both recipients to the next MX, and FIRST the message twice.
        assertThat(result.kind).isEqualTo(HostResult.Kind.PARTIAL);
        assertThat(result.sent).containsExactly(FIRST);
        assertThat(result.refused).isEmpty();
        assertThat(result.unsent).containsExactly(SECOND);
        assertThat(result.permanent).isFalse();
    }

    @Test
    void aFailureInTheFirstTransactionIsReportedAsItIs() throws Exception {
        MessagingException failure = new MessagingException("Can't send command to SMTP host", new SocketException("Connection reset"));
        SMTPTransport transport = new SMTPTransport(Session.getInstance(new Properties()), new URLName("smtp://mx.peer.test")) {
            @Override
            public synchronized void sendMessage(Message message, Address[] addresses) throws MessagingException {
                throw failure;
            }

            @Override
            public boolean supportsExtension(String extension) {
                return true;
            }
        };
        MessagingException thrown = catchThrowableOfType(() -> send(transport), MessagingException.class);
        assertThat(thrown).isSameAs(failure);
        assertThat(HostAttempt.failed(WHERE, List.of(FIRST, SECOND), thrown).kind).isEqualTo(HostResult.Kind.UNREACHABLE);
    }

    private static MessagingException sendFailing(MessagingException failure) {
        SecondTransactionFails transport = new SecondTransactionFails(failure);
        MessagingException thrown = catchThrowableOfType(() -> send(transport), MessagingException.class);
        assertThat(thrown).as("the second transaction's failure is thrown").isNotNull();
        assertThat(transport.transactions).containsExactly(List.of(internet(FIRST)), List.of(internet(SECOND)));
        return thrown;
    }

    /** Sends a mail to FIRST (NOTIFY=FAILURE) and SECOND (NOTIFY=SUCCESS,FAILURE): two NOTIFY groups. */
    private static void send(SMTPTransport transport) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setSubject("two NOTIFY groups");
        message.setText("body");
        message.saveChanges();
        Mail mail = MailImpl.builder().name("dsn-groups").sender("sender@demo.test").addRecipients(FIRST, SECOND)
            .mimeMessage(message).build();
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(FIRST, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.FAILURE)))
            .addRcptParameter(SECOND, DsnParameters.RecipientDsnParameters.of(
                EnumSet.of(DsnParameters.Notify.SUCCESS, DsnParameters.Notify.FAILURE)))
            .build().orElseThrow());
        new MessageSending(new Converter7Bit(null)).send(mail, transport, List.of(internet(FIRST), internet(SECOND)));
    }

    private static InternetAddress internet(MailAddress address) {
        return address.toInternetAddress().orElseThrow();
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
