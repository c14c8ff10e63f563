package io.tlsgate.delivery;

import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.transport.mailets.remote.delivery.Bouncer;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends failed recipients back to the sender, with the reason where James's DSNBounce reads it ("delivery-error",
 * "delivery-error-code", "is-delivery-permanent-error"). Unlike RemoteDelivery's Bouncer it loses nothing: a mail
 * without a sender (itself a bounce) goes to the error processor instead of nowhere, and a failure to hand the
 * bounce over is thrown, so the caller keeps the mail.
 */
final class Bounces {
    private static final Logger LOGGER = LoggerFactory.getLogger(Bounces.class);

    private final RemoteDeliveryConfiguration configuration;
    private final MailetContext context;

    Bounces(RemoteDeliveryConfiguration configuration, MailetContext context) {
        this.configuration = configuration;
        this.context = context;
    }

    /** @throws MessagingException when the bounce could not be handed over (the caller must keep the mail) */
    void bounce(Mail mail, List<MailAddress> recipients, String reason, boolean permanent, Optional<Integer> code) throws MessagingException {
        Mail bounce = mail.duplicate();
        try {
            bounce.setRecipients(recipients);
            bounce.setAttribute(new Attribute(Bouncer.DELIVERY_ERROR, AttributeValue.of(reason)));
            bounce.setAttribute(new Attribute(Bouncer.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(permanent)));
            code.ifPresent(c -> bounce.setAttribute(new Attribute(Bouncer.DELIVERY_ERROR_CODE, AttributeValue.of(c))));
            bounce.setErrorMessage(reason);
            if (mail.getMaybeSender().isNullSender()) {
                // Nobody to tell: keep it where an administrator looks, rather than drop it as RemoteDelivery does.
                LOGGER.warn("TLS Gate relay: {} has no sender to bounce to; it goes to the error processor: {}", mail.getName(), reason);
                context.sendMail(bounce, Mail.ERROR);
                return;
            }
            if (configuration.getBounceProcessor().isPresent()) {
                context.sendMail(bounce, configuration.getBounceProcessor().get().getValue());
            } else {
                context.bounce(bounce, explanation(recipients, reason, permanent));
            }
            LOGGER.info("TLS Gate relay bounced {} for {}: {}", mail.getName(), recipients, reason);
        } finally {
            LifecycleUtil.dispose(bounce);
        }
    }

    private String explanation(List<MailAddress> recipients, String reason, boolean permanent) {
        return "Hi. This is the James mail server at " + configuration.getHeloNameProvider().getHeloName() + ".\n"
            + "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            + (permanent ? "This is a permanent error; I've given up. Sorry it didn't work out.\n"
                : "I've given up after retrying for the configured time. Sorry it didn't work out.\n")
            + "\n" + recipients + "\n\n" + reason + "\n";
    }
}
