package io.tlsgate.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.GuiceProbe;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;

/** What waits in a James mail queue, so that tests can assert that a mail stayed queued and with which retry count. */
public class QueueProbe implements GuiceProbe {
    private final MailQueueFactory<?> queues;

    @Inject
    public QueueProbe(MailQueueFactory<?> queues) {
        this.queues = queues;
    }

    /**
     * One queued mail: its name, recipients, retry count ("delivery_retry_count"), last delivery error, and the
     * Subject of its message ("" when it has none), by which tests tell their messages apart, and its queue
     * priority ("MAIL_PRIORITY", set by usePriority) when it has one.
     */
    public static final class Queued {
        public final String name;
        public final List<String> recipients;
        public final int retries;
        public final String error;
        public final String subject;
        public final Optional<Integer> priority;

        Queued(String name, List<String> recipients, int retries, String error, String subject, Optional<Integer> priority) {
            this.name = name;
            this.recipients = List.copyOf(recipients);
            this.retries = retries;
            this.error = error;
            this.subject = subject;
            this.priority = priority;
        }

        @Override
        public String toString() {
            return name + " " + recipients + " retries=" + retries + " error=" + error;
        }
    }

    public List<Queued> browse(String queueName) {
        Optional<?> queue = queues.getQueue(MailQueueName.of(queueName));
        List<Queued> queued = new ArrayList<>();
        if (queue.isEmpty() || !(queue.get() instanceof ManageableMailQueue)) {
            return queued;
        }
        try {
            ManageableMailQueue.MailQueueIterator items = ((ManageableMailQueue) queue.get()).browse();
            while (items.hasNext()) {
                Mail mail = items.next().getMail();
                queued.add(new Queued(mail.getName(),
                    mail.getRecipients().stream().map(r -> r.asString()).collect(Collectors.toList()),
                    mail.getAttribute(AttributeName.of("delivery_retry_count")).map(a -> ((Number) a.getValue().value()).intValue()).orElse(0),
                    mail.getAttribute(AttributeName.of("delivery-error")).map(a -> String.valueOf(a.getValue().value())).orElse(""),
                    subject(mail),
                    mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY).map(a -> ((Number) a.getValue().value()).intValue())));
            }
            items.close();
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("cannot browse queue " + queueName, e);
        }
        return queued;
    }

    private static String subject(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getSubject()).orElse("");
        } catch (javax.mail.MessagingException e) {
            throw new IllegalStateException("cannot read the message of queued mail " + mail.getName(), e);
        }
    }
}
