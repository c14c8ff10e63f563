package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/** What the relay tests share: the sample's mailet container with a relay processor of their own, submission, polling. */
final class Outbound {
    private static final Pattern RELAY_PROCESSOR = Pattern.compile("(?s)<processor state=\"relay\".*?</processor>");

    private Outbound() {
    }

    /** conf-samples' mailetcontainer.xml with its relay processor replaced by one holding these mailets. */
    static String mailetContainer(String relayMailets) {
        Path sample = SampleServer.home().resolve("conf-samples").resolve("inbound-gate").resolve("mailetcontainer.xml");
        String xml;
        try {
            xml = Files.readString(sample);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher relay = RELAY_PROCESSOR.matcher(xml);
        if (!relay.find()) {
            throw new IllegalStateException("no relay processor in " + sample);
        }
        return xml.substring(0, relay.start()) + "<processor state=\"relay\" enableJmx=\"true\">\n" + relayMailets + "\n</processor>"
            + xml.substring(relay.end());
    }

    /** conf-samples' smtpserver.xml where the MX listener treats loopback as an authorized network (it may relay). */
    static String smtpServerWithLoopbackAuthorizedOnMx() {
        Path sample = SampleServer.home().resolve("conf-samples").resolve("inbound-gate").resolve("smtpserver.xml");
        try {
            String xml = Files.readString(sample);
            String mx = "<jmxName>smtpserver-mx</jmxName>";
            if (!xml.contains(mx)) {
                throw new IllegalStateException("no smtpserver-mx listener in " + sample);
            }
            return xml.replace(mx, mx + "\n        <authorizedAddresses>127.0.0.0/8</authorizedAddresses>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Alice submits one message to these recipients (STARTTLS, AUTH PLAIN on the submission port). */
    static void submit(DemoServer server, X509Certificate ca, String subject, List<String> recipients) {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-submission"))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(TlsOptions.trusting(ca));
            client.command("EHLO client.example");
            assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).code()).isEqualTo(235);
            transaction(client, DemoServer.USER, subject, recipients);
        }
    }

    /** A message with the null sender (MAIL FROM:&lt;&gt;) relayed through the MX listener from loopback, an authorized network. */
    static void submitWithNullSender(DemoServer server, X509Certificate ca, String subject, List<String> recipients) {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-mx"))) {
            client.readReply();
            client.command("EHLO client.example");
            client.startTls(TlsOptions.trusting(ca));
            client.command("EHLO client.example");
            transaction(client, "", subject, recipients);
        }
    }

    private static void transaction(SmtpClient client, String sender, String subject, List<String> recipients) {
        assertThat(client.command("MAIL FROM:<" + sender + ">").code()).as("MAIL FROM:<%s>", sender).isEqualTo(250);
        for (String recipient : recipients) {
            assertThat(client.command("RCPT TO:<" + recipient + ">").code()).as("RCPT TO:<%s>", recipient).isEqualTo(250);
        }
        assertThat(client.command("DATA").code()).isEqualTo(354);
        String to = recipients.stream().map(r -> "<" + r + ">").collect(Collectors.joining(", "));
        Reply reply = client.command((sender.isEmpty() ? "" : "From: <" + sender + ">\r\n") + "To: " + to + "\r\nSubject: " + subject
            + "\r\n\r\nSent through TLS Gate.\r\n.");
        assertThat(reply.toString()).isEqualTo("250 2.6.0 Message received");
        client.command("QUIT");
    }

    /** The DSNs in alice's INBOX. */
    static List<Dsn> dsns(DemoServer server) {
        return server.inbox(DemoServer.USER).stream().map(Dsn::parse).flatMap(Optional::stream).collect(Collectors.toList());
    }

    /** The mails kept in a mail repository of this James. */
    static List<Mail> repositoryMails(DemoServer server, MailRepositoryUrl url) {
        MailRepositoryProbeImpl repositories = server.james().getProbe(MailRepositoryProbeImpl.class);
        try {
            List<Mail> mails = new ArrayList<>();
            for (MailKey key : repositories.listMailKeys(url)) {
                Mail mail = repositories.getMail(url, key);
                if (mail != null) {
                    mails.add(mail);
                }
            }
            return mails;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + url.asString(), e);
        }
    }

    /** The Subject of a mail's message, "" when it has none. */
    static String subjectOf(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getSubject()).orElse("");
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot read the message of " + mail.getName(), e);
        }
    }

    /** Polls (every 50 ms) until {@code value} gives something, or fails after {@code timeout} describing {@code what}. */
    static <T> T await(Duration timeout, String what, Supplier<Optional<T>> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> found = value.get();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
