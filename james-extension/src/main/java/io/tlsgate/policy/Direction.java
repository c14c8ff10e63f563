package io.tlsgate.policy;

/** Which side of the server a connection is on. */
public enum Direction {
    /** A client sending mail to us (SMTP server side). */
    INBOUND,
    /** Us relaying mail to a remote MTA (SMTP client side). */
    OUTBOUND
}
