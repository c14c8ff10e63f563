package io.tlsgate.demo.peer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One connection to the {@link SmtpPeer}, as the peer saw it. The connection's thread writes it while tests read it:
 * every accessor is thread-safe and returns a snapshot. Wait for {@link #ended()} (e.g. with
 * {@link SmtpPeer#awaitSessions}) before asserting on a finished conversation.
 */
public final class Session {
    /** How a connection ended. */
    public enum Ending {
        /** Still open. */
        OPEN,
        /** The client sent QUIT; the peer answered 221 and closed. */
        QUIT,
        /** The client closed the connection (end of stream or reset) without QUIT. */
        CLIENT_CLOSED,
        /** The peer closed it on purpose: a 421 greeting, {@code dropAfterStartTls()}, {@code closeDuringHandshake()}. */
        PEER_CLOSED,
        /** The STARTTLS handshake failed (either side refused); see {@link Session#handshake()}. */
        HANDSHAKE_FAILED,
        /** The client stayed silent for the read timeout. */
        TIMEOUT,
        /** {@link SmtpPeer#close()} cut it. */
        PEER_SHUTDOWN,
        /** A bug in the peer; see {@link Session#error()} and {@link SmtpPeer#errors()}. */
        ERROR
    }

    private final int id;
    private final String remoteAddress;
    private final Instant acceptedAt = Instant.now();
    private final List<String> transcript = new ArrayList<>();
    private Handshake handshake;
    private boolean tls;
    private String heloName;
    private String authenticatedUser;
    private boolean sawStartTls;
    private boolean sawAuth;
    private boolean sawMailFrom;
    private boolean sawQuit;
    private long receivedDataBytes;
    private long discardedAfterStartTls;
    private Ending ending = Ending.OPEN;
    private String endDetail = "";
    private String error;

    Session(int id, String remoteAddress) {
        this.id = id;
        this.remoteAddress = remoteAddress;
    }

    /** 1 for the peer's first connection, then 2, 3, ... in accept order. */
    public int id() {
        return id;
    }

    /** When the peer accepted the connection. */
    public Instant acceptedAt() {
        return acceptedAt;
    }

    /** The client's address and port, e.g. "127.0.0.1:53124". */
    public String remoteAddress() {
        return remoteAddress;
    }

    /**
     * Every command line received, in order, without its line end; prefixed with "[tls] " once TLS is up:
     * {@code EHLO x}, {@code STARTTLS}, {@code [tls] EHLO x}, {@code [tls] MAIL FROM:<a@b>}, {@code [tls] QUIT}.
     * Message data and AUTH exchanges are not commands; an AUTH initial response shows as "***".
     */
    public synchronized List<String> transcript() {
        return List.copyOf(transcript);
    }

    /** The STARTTLS handshake, succeeded or failed; empty when none was attempted (or the peer dropped before it). */
    public synchronized Optional<Handshake> handshake() {
        return Optional.ofNullable(handshake);
    }

    /** Whether TLS is (or was, at the end) established on this connection. */
    public synchronized boolean tls() {
        return tls;
    }

    /** The name of the last accepted EHLO/HELO; empty before one. */
    public synchronized Optional<String> heloName() {
        return Optional.ofNullable(heloName);
    }

    /** The user of a successful AUTH (any credentials are accepted). */
    public synchronized Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    public synchronized boolean sawStartTls() {
        return sawStartTls;
    }

    /** Whether an AUTH command arrived at all (whatever its outcome). */
    public synchronized boolean sawAuth() {
        return sawAuth;
    }

    /** Whether a MAIL command arrived at all (whatever its syntax or the reply). */
    public synchronized boolean sawMailFrom() {
        return sawMailFrom;
    }

    /** Whether QUIT arrived. */
    public synchronized boolean sawQuit() {
        return sawQuit;
    }

    /**
     * Bytes read in data phases (after a 354), as sent, without the terminating "." line: 0 means no byte of any
     * message reached the peer.
     */
    public synchronized long receivedDataBytes() {
        return receivedDataBytes;
    }

    /** Bytes the client sent after STARTTLS before the handshake (plaintext injection); discarded, as RFC 3207 says. */
    public synchronized long discardedAfterStartTls() {
        return discardedAfterStartTls;
    }

    public synchronized boolean ended() {
        return ending != Ending.OPEN;
    }

    public synchronized Ending ending() {
        return ending;
    }

    /** The client closed the connection (without QUIT, or before the peer could answer it). */
    public synchronized boolean closedByClient() {
        return ending == Ending.CLIENT_CLOSED;
    }

    /** What ended the connection beyond {@link #ending()}, e.g. "Connection reset"; "" when nothing more is known. */
    public synchronized String endDetail() {
        return endDetail;
    }

    /** An unexpected failure inside the peer while serving this connection. */
    public synchronized Optional<String> error() {
        return Optional.ofNullable(error);
    }

    synchronized void command(String line) {
        transcript.add(tls ? "[tls] " + line : line);
    }

    synchronized void handshake(Handshake handshake) {
        this.handshake = handshake;
        this.tls = handshake.succeeded();
    }

    synchronized void heloName(String name) {
        this.heloName = name;
    }

    synchronized void authenticatedUser(String user) {
        this.authenticatedUser = user;
    }

    synchronized void markStartTls() {
        this.sawStartTls = true;
    }

    synchronized void markAuth() {
        this.sawAuth = true;
    }

    synchronized void markMailFrom() {
        this.sawMailFrom = true;
    }

    synchronized void markQuit() {
        this.sawQuit = true;
    }

    synchronized void dataBytes(long count) {
        receivedDataBytes += count;
    }

    synchronized void discardedAfterStartTls(long count) {
        discardedAfterStartTls += count;
    }

    synchronized void error(String text) {
        this.error = text;
    }

    synchronized void end(Ending how, String detail) {
        if (ending == Ending.OPEN) {
            ending = how;
            endDetail = detail == null ? "" : detail;
        }
    }

    @Override
    public synchronized String toString() {
        StringBuilder text = new StringBuilder("session ").append(id).append(" from ").append(remoteAddress)
            .append(" [").append(ending).append(endDetail.isEmpty() ? "" : ": " + endDetail).append("]");
        if (handshake != null) {
            text.append(" handshake ").append(handshake);
        }
        if (error != null) {
            text.append(" error ").append(error);
        }
        transcript.forEach(line -> text.append("\n    ").append(line));
        return text.toString();
    }
}
