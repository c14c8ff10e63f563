package io.tlsgate.admin;

/**
 * TLS Gate over JMX ({@code io.tlsgate:type=TlsGate}): the admin surface's read-only views and the reload, for
 * jconsole or jmxterm. Views are JSON text or one line per item; a bad argument raises IllegalArgumentException
 * with the same message as WebAdmin's 400/404 answers. Empty strings stand for absent optional arguments.
 */
public interface TlsGateMBean {
    /** One line per policy in force: name, direction, source, loaded-at time, summary. */
    String[] getPolicies();

    /** The last refusals, newest first, one line each. */
    String[] getRecentRefusals();

    /** As {@code GET /tlsgate/inbound/effective}, as JSON. */
    String effectiveInbound(String address, String host, String helo, String listener);

    /** As {@code GET /tlsgate/outbound/effective}, as JSON. */
    String effectiveOutbound(String recipient, String domain, String mx, String mxAddress, String mailet);

    /** Reads every policy file again now: one line per policy, "name (direction): reloaded|unchanged|refused: message". */
    String[] reload();
}
