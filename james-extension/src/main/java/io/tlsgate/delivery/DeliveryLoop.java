package io.tlsgate.delivery;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.transport.mailets.remote.delivery.Bouncer;
import org.apache.james.transport.mailets.remote.delivery.Delay;
import org.apache.james.transport.mailets.remote.delivery.DeliveryRetriesHelper;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Takes mail from the relay's queue and settles every recipient exactly once: delivered (and handed to onSuccess),
 * bounced (permanent failure, or temporary failures past maxRetries, with the last reason), or queued again after
 * the next delay of delayTime. A bounce that cannot be handed over is queued again as a pending bounce, never
 * retried as a delivery (which would send the delivered recipients twice).
 */
final class DeliveryLoop {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryLoop.class);
    /** A bounce waiting to be handed over again: its reason. */
    static final AttributeName PENDING_BOUNCE = AttributeName.of("tlsgate-pending-bounce");
    private static final AttributeName PENDING_BOUNCE_PERMANENT = AttributeName.of("tlsgate-pending-bounce-permanent");
    private static final Duration BOUNCE_RETRY_DELAY = Duration.ofMinutes(1);
    private static final int CONCURRENCY = 16;

    private final MailQueue queue;
    private final RemoteDeliveryConfiguration configuration;
    private final MxDelivery delivery;
    private final Bounces bounces;
    private final MailetContext context;
    private Disposable running;
    private Scheduler workers;
    private Scheduler dequeuer;

    DeliveryLoop(MailQueue queue, RemoteDeliveryConfiguration configuration, MxDelivery delivery, Bounces bounces, MailetContext context) {
        this.queue = queue;
        this.configuration = configuration;
        this.delivery = delivery;
        this.bounces = bounces;
        this.context = context;
    }

    void start() {
        workers = Schedulers.newBoundedElastic(CONCURRENCY, Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, "TlsGate-Relay");
        dequeuer = Schedulers.newSingle("TlsGate-Relay-Dequeue");
        running = Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> process(item)).subscribeOn(workers), CONCURRENCY)
            .onErrorContinue((error, item) -> LOGGER.error("TLS Gate relay: unexpected error around {}", item, error))
            .subscribeOn(dequeuer)
            .subscribe();
    }

    void stop() {
        if (running != null) {
            running.dispose();
            workers.dispose();
            dequeuer.dispose();
        }
    }

    private void process(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            settle(mail);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            // Nothing was settled for good that this retry could repeat (see settle): the queue may try again.
            LOGGER.error("TLS Gate relay: {} goes back to the queue after an unexpected error", mail.getName(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (MailQueueException retry) {
                LOGGER.error("TLS Gate relay: cannot return {} to the queue", mail.getName(), retry);
            }
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    /**
     * Every step that cannot be undone (a delivery) is followed only by steps that keep the rest: the mail's own
     * recipients shrink to what is left before anything else can fail.
     */
    private void settle(Mail mail) throws MessagingException {
        Optional<String> pendingBounce = mail.getAttribute(PENDING_BOUNCE).map(a -> String.valueOf(a.getValue().value()));
        if (pendingBounce.isPresent()) {
            boolean permanent = mail.getAttribute(PENDING_BOUNCE_PERMANENT).map(a -> Boolean.TRUE.equals(a.getValue().value())).orElse(true);
            bounceOrKeep(mail, List.copyOf(mail.getRecipients()), pendingBounce.get(), permanent, Optional.empty());
            return;
        }
        DeliveryOutcome outcome = delivery.deliver(mail);
        if (!outcome.delivered.isEmpty()) {
            onSuccess(mail, outcome.delivered);
        }
        if (!outcome.permanent.isEmpty()) {
            bounceOrKeep(mail, outcome.permanent, outcome.permanentReason, true, outcome.smtpCode);
        }
        if (!outcome.temporary.isEmpty()) {
            retryOrBounce(mail, outcome);
        }
    }

    private void onSuccess(Mail mail, List<MailAddress> delivered) {
        if (configuration.getOnSuccess().isEmpty()) {
            return;
        }
        try {
            Mail copy = mail.duplicate();
            try {
                copy.setRecipients(delivered);
                context.sendMail(copy, configuration.getOnSuccess().get().getValue());
            } finally {
                LifecycleUtil.dispose(copy);
            }
        } catch (MessagingException e) {
            // The mail itself is delivered; only the copy for onSuccess is missing.
            LOGGER.error("TLS Gate relay: {} was delivered to {}, but the copy for onSuccess failed", mail.getName(), delivered, e);
        }
    }

    private void retryOrBounce(Mail mail, DeliveryOutcome outcome) throws MessagingException {
        if (!Mail.ERROR.equals(mail.getState())) {
            mail.setState(Mail.ERROR);
            DeliveryRetriesHelper.initRetries(mail);
            mail.setLastUpdated(new Date());
        }
        int retries = DeliveryRetriesHelper.retrieveRetries(mail);
        if (retries < configuration.getMaxRetries()) {
            DeliveryRetriesHelper.incrementRetries(mail);
            mail.setRecipients(outcome.temporary);
            mail.setAttribute(new Attribute(Bouncer.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(false)));
            mail.setAttribute(new Attribute(Bouncer.DELIVERY_ERROR, AttributeValue.of(outcome.reason)));
            List<Duration> delays = configuration.getDelayTimes();
            Duration delay = retries < delays.size() ? delays.get(retries) : Delay.DEFAULT_DELAY_TIME;
            queue.enQueue(mail, delay);
            LOGGER.info("TLS Gate relay: {} for {} queued again (attempt {} of {}) in {}: {}", mail.getName(), outcome.temporary,
                retries + 1, configuration.getMaxRetries() + 1, delay, outcome.reason);
            return;
        }
        // Keep the reason of the last attempt: "Too many retries" alone tells the sender nothing.
        bounceOrKeep(mail, outcome.temporary, outcome.reason + " (giving up after " + (retries + 1) + " attempts)", false, outcome.smtpCode);
    }

    private void bounceOrKeep(Mail mail, List<MailAddress> recipients, String reason, boolean permanent, Optional<Integer> code)
            throws MailQueueException {
        try {
            bounces.bounce(mail, recipients, reason, permanent, code);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("TLS Gate relay: the bounce of {} for {} could not be handed over; it is kept and retried", mail.getName(),
                recipients, e);
            try {
                Mail pending = mail.duplicate();
                try {
                    pending.setRecipients(recipients);
                    pending.setAttribute(new Attribute(PENDING_BOUNCE, AttributeValue.of(reason)));
                    pending.setAttribute(new Attribute(PENDING_BOUNCE_PERMANENT, AttributeValue.of(permanent)));
                    queue.enQueue(pending, BOUNCE_RETRY_DELAY);
                } finally {
                    LifecycleUtil.dispose(pending);
                }
            } catch (MessagingException duplicate) {
                throw new MailQueueException("cannot keep the bounce of " + mail.getName(), duplicate);
            }
        }
    }
}
