package io.tlsgate.policy;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One decision of the gate, as the admin surface sees it: inbound, a session judged after its TLS handshake or a
 * command refused before TLS; outbound, one MX judged for one delivery attempt.
 */
public final class Decision {
    private final Instant time;
    private final Direction direction;
    private final String where;
    private final String peerAddress;
    private final Optional<String> peerName;
    private final Optional<String> helo;
    private final Optional<String> domain;
    private final Optional<String> mx;
    private final String rule;
    private final Verdict verdict;

    private Decision(Instant time, Direction direction, String where, String peerAddress, Optional<String> peerName,
                     Optional<String> helo, Optional<String> domain, Optional<String> mx, String rule, Verdict verdict) {
        this.time = Objects.requireNonNull(time, "time");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.where = Objects.requireNonNull(where, "where");
        this.peerAddress = Objects.requireNonNull(peerAddress, "peerAddress");
        this.peerName = peerName;
        this.helo = helo;
        this.domain = domain;
        this.mx = mx;
        this.rule = Objects.requireNonNull(rule, "rule");
        this.verdict = Objects.requireNonNull(verdict, "verdict");
    }

    /**
     * @param listener the listener's name (its jmxName)
     * @param name the client's confirmed host name, if any
     * @param helo what the client said in HELO/EHLO, if it did
     * @param rule the matched rule key, as logged ("default", "host partner.example")
     */
    public static Decision inbound(Instant time, String listener, String address, Optional<String> name, Optional<String> helo,
                                   String rule, Verdict verdict) {
        return new Decision(time, Direction.INBOUND, listener, address, name, helo, Optional.empty(), Optional.empty(), rule, verdict);
    }

    /**
     * @param mailet the relay mailet's name (its queue)
     * @param domain the recipient domain
     * @param mx the MX host name (or the gateway) judged
     * @param address the address connected to
     */
    public static Decision outbound(Instant time, String mailet, String domain, String mx, String address, String rule, Verdict verdict) {
        return new Decision(time, Direction.OUTBOUND, mailet, address, Optional.of(mx), Optional.empty(), Optional.of(domain),
            Optional.of(mx), rule, verdict);
    }

    public Instant time() {
        return time;
    }

    public Direction direction() {
        return direction;
    }

    /** The listener (inbound) or relay mailet (outbound) that decided. */
    public String where() {
        return where;
    }

    public String peerAddress() {
        return peerAddress;
    }

    /** Inbound: the confirmed client name; outbound: the MX host name. */
    public Optional<String> peerName() {
        return peerName;
    }

    public Optional<String> helo() {
        return helo;
    }

    /** Outbound: the recipient domain. */
    public Optional<String> domain() {
        return domain;
    }

    /** Outbound: the MX host. */
    public Optional<String> mx() {
        return mx;
    }

    public String rule() {
        return rule;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** "accepted", "tempfail" or "permfail": the verdict as metrics name it. */
    public String outcome() {
        return verdict.accepted() ? "accepted" : verdict.temporary() ? "tempfail" : "permfail";
    }

    /** "inbound" or "outbound". */
    public String directionName() {
        return direction.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return time + " " + directionName() + " " + where + " peer=" + peerAddress + peerName.map(n -> " name=" + n).orElse("")
            + helo.map(h -> " helo=" + h).orElse("") + domain.map(d -> " domain=" + d).orElse("") + " rule=\"" + rule + "\" "
            + (verdict.accepted() ? "accept" : "refuse reason=" + verdict.reason().orElseThrow().label() + " reply=\"" + verdict.reply() + "\"");
    }
}
