package io.tlsgate.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Outbound rules, looked up per delivery attempt. A delivery has two sides, as in Sendmail: the recipient side
 * (TLS_Rcpt: the recipient address, the recipient domain and its parent domains, the local part in any domain
 * ("user@")) and the server side (TLS_Srv: the MX host name and its parent domains, the MX address and ever shorter
 * prefixes). {@link #rules} gives the entry of each side; both apply when both exist, and the default applies only when
 * neither side has an entry. {@link #lookup} gives the first of them. Immutable.
 *
 * @param <R> the rule type
 */
public final class DestinationTable<R> {

    /** Which kind of key selected a rule. */
    public enum Kind { RECIPIENT, DOMAIN, LOCAL_PART, MX, DEFAULT }

    /** A rule and the key that selected it. */
    public static final class Match<R> {
        private final R rule;
        private final Kind kind;
        private final String key;

        Match(R rule, Kind kind, String key) {
            this.rule = rule;
            this.kind = kind;
            this.key = key;
        }

        public R rule() {
            return rule;
        }

        public Kind kind() {
            return kind;
        }

        public String key() {
            return key;
        }

        @Override
        public String toString() {
            return kind == Kind.DEFAULT ? "default" : kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + key;
        }
    }

    /**
     * The rules that apply to one delivery to one MX: the recipient side's own entry, the server side's own entry, or
     * the default alone when neither side has one.
     */
    public static final class Rules<R> {
        private final Optional<Match<R>> recipientSide;
        private final Optional<Match<R>> serverSide;
        private final Match<R> defaultMatch;

        Rules(Optional<Match<R>> recipientSide, Optional<Match<R>> serverSide, Match<R> defaultMatch) {
            this.recipientSide = recipientSide;
            this.serverSide = serverSide;
            this.defaultMatch = defaultMatch;
        }

        /** The recipient / local part / domain entry (TLS_Rcpt), if any. */
        public Optional<Match<R>> recipientSide() {
            return recipientSide;
        }

        /** The MX host / address entry (TLS_Srv, Try_TLS), if any. */
        public Optional<Match<R>> serverSide() {
            return serverSide;
        }

        /** Every rule the delivery must satisfy, recipient side first; the default alone when neither side has an entry. */
        public List<Match<R>> applying() {
            if (recipientSide.isPresent() && serverSide.isPresent()) {
                return List.of(recipientSide.get(), serverSide.get());
            }
            return List.of(recipientSide.or(() -> serverSide).orElse(defaultMatch));
        }

        /** The first applying rule (the recipient side's when there is one). */
        public Match<R> first() {
            return applying().get(0);
        }

        @Override
        public String toString() {
            return applying().stream().map(Match::toString).collect(java.util.stream.Collectors.joining(" + "));
        }
    }

    private final Map<String, R> recipients;
    private final Map<String, R> localParts;
    private final PeerTable<R> domains;
    private final PeerTable<R> mxs;
    private final R defaultRule;
    private final DefaultSide defaultSide;

    private DestinationTable(Builder<R> b) {
        // HashMap for the same reason as PeerTable's; never modified after this.
        this.recipients = new HashMap<>(b.recipients);
        this.localParts = new HashMap<>(b.localParts);
        this.domains = b.domains.build();
        this.mxs = b.mxs.build();
        this.defaultRule = b.defaultRule;
        this.defaultSide = b.defaultSide;
    }

    /**
     * Whose default the default rule is. {@code NEITHER} (XML's {@code <default>}): it applies only when neither side
     * has an entry. {@code RECIPIENT} (a bare {@code TLS_Rcpt:}): it stands for every recipient without an entry, also
     * when the MX has one. {@code SERVER} (a bare {@code TLS_Srv:} or {@code Try_TLS:}): the same for every MX.
     */
    public enum DefaultSide { NEITHER, RECIPIENT, SERVER }

    public static <R> Builder<R> builder(R defaultRule) {
        return new Builder<>(defaultRule);
    }

    /**
     * @param recipient the recipient address (user@domain)
     * @param domain the recipient domain
     * @param mxName the host name of the MX being tried (empty for an address literal)
     * @param mxAddress its address, 4 or 16 bytes
     */
    public Match<R> lookup(String recipient, String domain, Optional<String> mxName, byte[] mxAddress) {
        return rules(recipient, domain, mxName, mxAddress).first();
    }

    /**
     * The rules of both sides of a delivery (see {@link Rules}).
     *
     * @param recipient the recipient address (user@domain)
     * @param domain the recipient domain
     * @param mxName the host name of the MX being tried (empty for an address literal)
     * @param mxAddress its address, 4 or 16 bytes
     */
    public Rules<R> rules(String recipient, String domain, Optional<String> mxName, byte[] mxAddress) {
        PeerTable.Match<R> byMx = mxs.lookup(mxName, mxAddress);
        Match<R> byDefault = new Match<>(defaultRule, Kind.DEFAULT, "default");
        Optional<Match<R>> serverSide = byMx.kind() == PeerTable.MatchKind.DEFAULT ? Optional.empty()
            : Optional.of(new Match<>(byMx.rule(), Kind.MX, byMx.key()));
        Optional<Match<R>> recipientSide = recipientSide(recipient, domain);
        // A side's own default (Sendmail's bare TLS_Rcpt: or TLS_Srv:) stands in for that side's missing entry.
        if (defaultSide == DefaultSide.RECIPIENT && recipientSide.isEmpty()) {
            recipientSide = Optional.of(byDefault);
        } else if (defaultSide == DefaultSide.SERVER && serverSide.isEmpty()) {
            serverSide = Optional.of(byDefault);
        }
        return new Rules<>(recipientSide, serverSide, byDefault);
    }

    private Optional<Match<R>> recipientSide(String recipient, String domain) {
        R byRecipient = recipients.get(recipient.toLowerCase(Locale.ROOT));
        if (byRecipient != null) {
            return Optional.of(new Match<>(byRecipient, Kind.RECIPIENT, recipient.toLowerCase(Locale.ROOT)));
        }
        PeerTable.Match<R> byDomain = domains.lookup(Optional.of(domain), new byte[4]);
        if (byDomain.kind() == PeerTable.MatchKind.HOST) {
            return Optional.of(new Match<>(byDomain.rule(), Kind.DOMAIN, byDomain.key()));
        }
        return localPart(recipient).map(localPart -> new Match<>(localParts.get(localPart), Kind.LOCAL_PART, localPart));
    }

    /**
     * The rule a recipient's own key selects, if any (recipients with different rules are delivered apart): its address,
     * or its local part ("user@") when no domain rule comes first.
     */
    public Optional<R> recipientRule(String recipient) {
        R own = recipients.get(recipient.toLowerCase(Locale.ROOT));
        if (own != null || localParts.isEmpty()) {
            return Optional.ofNullable(own);
        }
        Optional<String> localPart = localPart(recipient);
        if (localPart.isEmpty()) {
            return Optional.empty();
        }
        String domain = recipient.substring(recipient.lastIndexOf('@') + 1);
        if (domains.lookup(Optional.of(domain), new byte[4]).kind() == PeerTable.MatchKind.HOST) {
            return Optional.empty();
        }
        return Optional.of(localParts.get(localPart.get()));
    }

    /** The "user@" key of a recipient that has a local-part rule. */
    private Optional<String> localPart(String recipient) {
        if (localParts.isEmpty()) {
            return Optional.empty();
        }
        int at = recipient.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String key = recipient.substring(0, at + 1).toLowerCase(Locale.ROOT);
        return localParts.containsKey(key) ? Optional.of(key) : Optional.empty();
    }

    public R defaultRule() {
        return defaultRule;
    }

    public int size() {
        return recipients.size() + localParts.size() + domains.size() + mxs.size();
    }

    public static final class Builder<R> {
        private final R defaultRule;
        private DefaultSide defaultSide = DefaultSide.NEITHER;
        private final Map<String, R> recipients = new HashMap<>();
        private final Map<String, R> localParts = new HashMap<>();
        private final PeerTable.Builder<R> domains;
        private final PeerTable.Builder<R> mxs;

        private Builder(R defaultRule) {
            this.defaultRule = Objects.requireNonNull(defaultRule);
            this.domains = PeerTable.builder(defaultRule);
            this.mxs = PeerTable.builder(defaultRule);
        }

        /** @throws IllegalArgumentException when the address already has a rule */
        public Builder<R> defaultSide(DefaultSide side) {
            this.defaultSide = Objects.requireNonNull(side);
            return this;
        }

        public Builder<R> recipient(String address, R rule) {
            String key = address.trim().toLowerCase(Locale.ROOT);
            if (recipients.putIfAbsent(key, Objects.requireNonNull(rule)) != null) {
                throw new IllegalArgumentException("recipient " + key + " has two rules");
            }
            return this;
        }

        /**
         * A local part in any recipient domain, written "user@" (Sendmail's {@code TLS_Rcpt:user@}); it comes after the
         * address and domain rules.
         *
         * @throws IllegalArgumentException when the local part already has a rule, or the key does not end in '@'
         */
        public Builder<R> localPart(String userAt, R rule) {
            String key = userAt.trim().toLowerCase(Locale.ROOT);
            if (key.length() < 2 || key.indexOf('@') != key.length() - 1) {
                throw new IllegalArgumentException("'" + userAt + "' is not a local part followed by @");
            }
            if (localParts.putIfAbsent(key, Objects.requireNonNull(rule)) != null) {
                throw new IllegalArgumentException("local part " + key + " has two rules");
            }
            return this;
        }

        /** A recipient domain and its subdomains. */
        public Builder<R> domain(String domain, R rule) {
            domains.host(domain, rule);
            return this;
        }

        /** An MX host name and the hosts below it. */
        public Builder<R> mxHost(String host, R rule) {
            mxs.host(host, rule);
            return this;
        }

        public Builder<R> mxAddress(AddressBlock block, R rule) {
            mxs.address(block, rule);
            return this;
        }

        public DestinationTable<R> build() {
            return new DestinationTable<>(this);
        }
    }
}
