package io.tlsgate.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.utils.GuiceProbe;

import reactor.core.publisher.Mono;

/** Reads what reached a user's INBOX, whole messages as text, so that tests can assert on delivered mail. */
public class InboxProbe implements GuiceProbe {
    private final MailboxManager mailboxManager;

    @Inject
    public InboxProbe(MailboxManager mailboxManager) {
        this.mailboxManager = mailboxManager;
    }

    public List<String> messages(String user) {
        try {
            MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
            MailboxPath inbox = MailboxPath.inbox(session);
            if (!Boolean.TRUE.equals(Mono.from(mailboxManager.mailboxExists(inbox, session)).block())) {
                return List.of();
            }
            MessageManager mailbox = mailboxManager.getMailbox(inbox, session);
            MessageResultIterator results = mailbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
            List<String> messages = new ArrayList<>();
            while (results.hasNext()) {
                try (InputStream content = results.next().getFullContent().getInputStream()) {
                    messages.add(new String(content.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return messages;
        } catch (MailboxException | IOException e) {
            throw new IllegalStateException("cannot read the INBOX of " + user, e);
        }
    }
}
