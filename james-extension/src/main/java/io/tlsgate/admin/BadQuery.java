package io.tlsgate.admin;

/** A query the admin surface refuses before anything touches DNS or the network: bad input, or an unknown name. */
public final class BadQuery extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final boolean unknownName;

    private BadQuery(String message, boolean unknownName) {
        super(message);
        this.unknownName = unknownName;
    }

    /** Missing, malformed or contradictory input (HTTP 400). */
    public static BadQuery invalid(String message) {
        return new BadQuery(message, false);
    }

    /** A listener or relay mailet that does not exist (HTTP 404). */
    public static BadQuery unknown(String message) {
        return new BadQuery(message, true);
    }

    public boolean unknownName() {
        return unknownName;
    }
}
