package io.tlsgate.delivery;

import javax.mail.MessagingException;

import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.Verdict;

/** The policy refused an MX after STARTTLS (or because it offered none); QUIT was sent, nothing of the mail. */
final class TlsPolicyRefusal extends MessagingException {
    private static final long serialVersionUID = 1L;

    private final transient Verdict verdict;
    private final transient TlsFacts facts;

    TlsPolicyRefusal(Verdict verdict, TlsFacts facts) {
        super(verdict.enhancedStatus() + " " + verdict.text());
        this.verdict = verdict;
        this.facts = facts;
    }

    Verdict verdict() {
        return verdict;
    }

    TlsFacts facts() {
        return facts;
    }
}
