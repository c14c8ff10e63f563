package io.tlsgate.bench.relay;

import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.utils.GuiceProbe;
import org.apache.mailet.MailetContext;

/**
 * Hands a mail to James's spool, to start in a given processor: what a mailet does with
 * {@code getMailetContext().sendMail(...)}. Both relay paths are fed this same way.
 */
public class SpoolProbe implements GuiceProbe {
    private final MailetContext context;

    @Inject
    public SpoolProbe(MailetContext context) {
        this.context = context;
    }

    public void send(MailAddress sender, MailAddress recipient, MimeMessage message, String processor) throws MessagingException {
        context.sendMail(sender, List.of(recipient), message, processor);
    }
}
