package io.tlsgate.delivery;

import java.util.List;

/**
 * One MX address probed: whether it answered, whether it offers STARTTLS, what TLS gave, which rules apply to it and
 * the relay's verdict on it. Immutable.
 */
public final class ProbedHost {
    private final String host;
    private final String address;
    private final int port;
    private final boolean connected;
    private final boolean startTlsOffered;
    private final boolean startTlsTried;
    private final ProbedTls tls;
    private final String rule;
    private final String recipientRule;
    private final String serverRule;
    private final List<String> requirements;
    private final ProbeVerdict verdict;
    private final String error;

    ProbedHost(String host, String address, int port, boolean connected, boolean startTlsOffered, boolean startTlsTried, ProbedTls tls,
               String rule, String recipientRule, String serverRule, List<String> requirements, ProbeVerdict verdict, String error) {
        this.host = host;
        this.address = address;
        this.port = port;
        this.connected = connected;
        this.startTlsOffered = startTlsOffered;
        this.startTlsTried = startTlsTried;
        this.tls = tls;
        this.rule = rule;
        this.recipientRule = recipientRule;
        this.serverRule = serverRule;
        this.requirements = List.copyOf(requirements);
        this.verdict = verdict;
        this.error = error;
    }

    /** The MX host name (no trailing dot), or the address literal. */
    public String getHost() {
        return host;
    }

    /** The IP address connected to. */
    public String getAddress() {
        return address;
    }

    public int getPort() {
        return port;
    }

    /** Whether the server answered (TCP connection made). */
    public boolean isConnected() {
        return connected;
    }

    /** Whether the server's EHLO reply offered STARTTLS (false when it was never reached). */
    public boolean isStartTlsOffered() {
        return startTlsOffered;
    }

    /** Whether STARTTLS was sent: the rules try it (not at the server's level none) and the server offered it. */
    public boolean isStartTlsTried() {
        return startTlsTried;
    }

    /** What TLS gave; null without TLS (not offered, not tried, or the handshake failed: see {@link #getError}). */
    public ProbedTls getTls() {
        return tls;
    }

    /** The applying rules as the relay logs them, e.g. "domain partner.example + mx mx.partner.example", or "default". */
    public String getRule() {
        return rule;
    }

    /** The recipient side's entry (recipient, local part or domain), e.g. "domain partner.example"; null when none. */
    public String getRecipientRule() {
        return recipientRule;
    }

    /** The server side's entry (MX host or address), e.g. "mx mx.partner.example"; null when none. */
    public String getServerRule() {
        return serverRule;
    }

    /** Each applying rule and its requirement, e.g. "domain partner.example: level=verify ...". */
    public List<String> getRequirements() {
        return requirements;
    }

    /** The relay's verdict on this server; null when none could be made (not reached, handshake failed: see {@link #getError}). */
    public ProbeVerdict getVerdict() {
        return verdict;
    }

    /** What went wrong on the connection (refused, timed out, handshake failed, bad greeting); null when nothing did. */
    public String getError() {
        return error;
    }

    @Override
    public String toString() {
        return host + "[" + address + "]:" + port + " rule=\"" + rule + "\" " + (tls != null ? tls.toString() : "no TLS") + " "
            + (verdict != null ? verdict.toString() : "no verdict") + (error != null ? " error=" + error : "");
    }
}
