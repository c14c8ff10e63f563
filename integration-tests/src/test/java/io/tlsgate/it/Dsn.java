package io.tlsgate.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

/**
 * A delivery status notification as James's DSNBounce writes it (multipart/report: a text part, then a
 * message/delivery-status part with one block per recipient), read back from a mailbox with javax.mail so that
 * transfer encodings do not matter. Tests tell their messages apart by the original Subject, which the text part
 * repeats ("Original email subject: ...").
 */
final class Dsn {
    private static final Pattern ORIGINAL_SUBJECT = Pattern.compile("(?m)^Original email subject: (.*?)\\r?$");

    /** One per-recipient block of the delivery-status part. */
    static final class Recipient {
        final String finalRecipient;
        final String action;
        final String status;
        final String diagnosticCode;

        Recipient(Map<String, String> fields) {
            this.finalRecipient = fields.getOrDefault("Final-Recipient", "");
            this.action = fields.getOrDefault("Action", "");
            this.status = fields.getOrDefault("Status", "");
            this.diagnosticCode = fields.getOrDefault("Diagnostic-Code", "");
        }

        /** The address of Final-Recipient ("rfc822; bob@x.test" gives "bob@x.test"). */
        String address() {
            int semicolon = finalRecipient.indexOf(';');
            return (semicolon < 0 ? finalRecipient : finalRecipient.substring(semicolon + 1)).trim();
        }

        @Override
        public String toString() {
            return finalRecipient + " / " + action + " / " + status;
        }
    }

    final String originalSubject;
    final String text;
    final List<Recipient> recipients;
    final String raw;

    private Dsn(String originalSubject, String text, List<Recipient> recipients, String raw) {
        this.originalSubject = originalSubject;
        this.text = text;
        this.recipients = List.copyOf(recipients);
        this.raw = raw;
    }

    /** The DSN in this raw message, or empty when it is not a DSN (no message/delivery-status part). */
    static Optional<Dsn> parse(String raw) {
        try {
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
            Object content = message.getContent();
            if (!(content instanceof Multipart)) {
                return Optional.empty();
            }
            Multipart parts = (Multipart) content;
            String text = "";
            String status = null;
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart part = parts.getBodyPart(i);
                if (part.isMimeType("text/plain") && text.isEmpty()) {
                    text = read(part.getInputStream());
                } else if (part.isMimeType("message/delivery-status")) {
                    status = read(part.getInputStream());
                }
            }
            if (status == null) {
                return Optional.empty();
            }
            Matcher subject = ORIGINAL_SUBJECT.matcher(text);
            return Optional.of(new Dsn(subject.find() ? subject.group(1) : "", text, recipientBlocks(status), raw));
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot read a message of the mailbox as MIME:\n" + raw, e);
        }
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The blocks (separated by blank lines) that name a Final-Recipient; a field's folded lines are joined. */
    private static List<Recipient> recipientBlocks(String status) {
        List<Recipient> recipients = new ArrayList<>();
        for (String block : status.replace("\r\n", "\n").split("\n\\s*\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            String last = null;
            for (String line : block.split("\n")) {
                if (!line.isEmpty() && Character.isWhitespace(line.charAt(0)) && last != null) {
                    fields.put(last, fields.get(last) + " " + line.trim());
                } else if (line.contains(":")) {
                    last = line.substring(0, line.indexOf(':')).trim();
                    fields.put(last, line.substring(line.indexOf(':') + 1).trim());
                }
            }
            if (fields.containsKey("Final-Recipient")) {
                recipients.add(new Recipient(fields));
            }
        }
        return recipients;
    }

    @Override
    public String toString() {
        return "DSN for '" + originalSubject + "' " + recipients;
    }
}
