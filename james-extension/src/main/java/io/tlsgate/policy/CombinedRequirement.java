package io.tlsgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one outbound delivery to one MX must meet, as in Sendmail where TLS_Srv (per server) and TLS_Rcpt (per
 * recipient) must both pass: the recipient side's entry (recipient address, local part or domain) and the server
 * side's entry (MX host name or address) both apply when both exist; a side's entry alone decides when the other side
 * has none; the default applies only when neither side has an entry (so an entry with a lower level than the default
 * still exempts its destination, unless the other side has an entry of its own).
 *
 * <ul>
 *   <li>STARTTLS is tried when any applying rule is above level none, except when the server side's entry is level
 *       none (Sendmail's {@code Try_TLS:host NO}): STARTTLS is then never tried with that server, and a recipient side
 *       that needs TLS refuses it (no plaintext delivery under a recipient requirement).</li>
 *   <li>Each applying requirement is evaluated by {@link PolicyEvaluator} on the same connection; the delivery is
 *       refused if any refuses. The verdict is the first permanent refusal, else the first refusal, and when both sides
 *       apply its text names the rule that refused.</li>
 * </ul>
 * Immutable.
 */
public final class CombinedRequirement {

    /** One applying rule: its name (as in logs, e.g. "domain partner.example") and its requirement. */
    public static final class Part {
        private final String rule;
        private final TlsRequirement requirement;

        public Part(String rule, TlsRequirement requirement) {
            this.rule = Objects.requireNonNull(rule);
            this.requirement = Objects.requireNonNull(requirement);
        }

        public String rule() {
            return rule;
        }

        public TlsRequirement requirement() {
            return requirement;
        }

        @Override
        public String toString() {
            return rule;
        }
    }

    /** A verdict and the rule that gave it (on acceptance, the first applying rule). */
    public static final class Decision {
        private final Verdict verdict;
        private final Part decidedBy;

        Decision(Verdict verdict, Part decidedBy) {
            this.verdict = verdict;
            this.decidedBy = decidedBy;
        }

        public Verdict verdict() {
            return verdict;
        }

        public Part decidedBy() {
            return decidedBy;
        }
    }

    private final List<Part> parts;
    private final Optional<Part> startTlsWithheldBy;

    private CombinedRequirement(List<Part> parts, Optional<Part> startTlsWithheldBy) {
        this.parts = List.copyOf(parts);
        this.startTlsWithheldBy = startTlsWithheldBy;
    }

    /** The requirements of the rules a destination table gives for one delivery. */
    public static <R> CombinedRequirement of(DestinationTable.Rules<R> rules, Function<R, TlsRequirement> requirement) {
        List<Part> parts = new ArrayList<>();
        for (DestinationTable.Match<R> match : rules.applying()) {
            parts.add(new Part(match.toString(), requirement.apply(match.rule())));
        }
        Optional<Part> withheld = Optional.empty();
        if (rules.serverSide().isPresent()) {
            Part server = parts.get(parts.size() - 1);
            if (server.requirement().level() == TlsRequirement.Level.NONE) {
                withheld = Optional.of(server);
            }
        }
        return new CombinedRequirement(parts, withheld);
    }

    /**
     * @param recipientSide the recipient side's requirement, if it has an entry
     * @param serverSide the server side's requirement, if it has an entry
     * @param fallback the default, used only when neither side has an entry
     */
    public static CombinedRequirement of(Optional<Part> recipientSide, Optional<Part> serverSide, Part fallback) {
        List<Part> parts = new ArrayList<>();
        recipientSide.ifPresent(parts::add);
        serverSide.ifPresent(parts::add);
        if (parts.isEmpty()) {
            parts.add(fallback);
        }
        return new CombinedRequirement(parts,
            serverSide.filter(part -> part.requirement().level() == TlsRequirement.Level.NONE));
    }

    /** The applying rules, recipient side first. */
    public List<Part> parts() {
        return parts;
    }

    /** Whether STARTTLS is tried with the server. */
    public boolean triesStartTls() {
        return startTlsWithheldBy.isEmpty() && parts.stream().anyMatch(p -> p.requirement().level() != TlsRequirement.Level.NONE);
    }

    /** Whether a connection without TLS is refused. */
    public boolean requiresTls() {
        return parts.stream().anyMatch(p -> p.requirement().requiresTls());
    }

    /**
     * @param facts what the connection negotiated, for each requirement (the certificate's verification may depend on
     *     the requirement: its level, anchors, pins, the name checked)
     */
    public Decision evaluate(Function<TlsRequirement, TlsFacts> facts) {
        Optional<Decision> firstRefusal = Optional.empty();
        for (Part part : parts) {
            TlsFacts negotiated = facts.apply(part.requirement());
            Verdict verdict = PolicyEvaluator.evaluate(part.requirement(), negotiated);
            if (verdict.accepted()) {
                continue;
            }
            if (!negotiated.tlsActive() && startTlsWithheldBy.isPresent() && verdict.reason().orElse(null) == RefusalReason.TLS_MISSING) {
                verdict = Verdict.refuse(RefusalReason.TLS_MISSING, part.requirement().missingTls(),
                    "TLS required, but STARTTLS is never tried with this server (" + startTlsWithheldBy.get().rule() + " is level none)",
                    TlsRequirement.AfterRefusal.REFUSE, part.requirement().replyCodes());
            }
            if (parts.size() > 1) {
                verdict = verdict.prefixed("rule " + part.rule() + ": ");
            }
            Decision decision = new Decision(verdict, part);
            if (!verdict.temporary()) {
                return decision;
            }
            if (firstRefusal.isEmpty()) {
                firstRefusal = Optional.of(decision);
            }
        }
        return firstRefusal.orElseGet(() -> new Decision(Verdict.accept(), parts.get(0)));
    }

    @Override
    public String toString() {
        return parts.stream().map(Part::rule).collect(java.util.stream.Collectors.joining(" + "));
    }
}
