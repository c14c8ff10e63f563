package io.tlsgate.demo.peer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * A local SMTP server for tests and the demo, with knobs for what a remote MTA can do to a client: no STARTTLS,
 * a bad certificate, a weak or old TLS, a connection dropped after STARTTLS, a failing handshake, a required client
 * certificate, 4xx/5xx replies. It records, per connection, every command and the TLS handshake, and keeps the
 * messages it accepted, so a test asserts what the peer saw (QUIT after the handshake, no MAIL FROM, no data).
 *
 * <p>Plain JDK: a {@link ServerSocket} on 127.0.0.1 (port 0 unless given), a daemon thread per connection, STARTTLS
 * by wrapping the accepted socket in server mode. It speaks enough ESMTP for javax.mail's SMTPTransport, swaks and
 * James: EHLO (8BITMIME, ENHANCEDSTATUSCODES, SIZE, DSN, AUTH PLAIN LOGIN, STARTTLS), HELO, STARTTLS, AUTH (any
 * credentials), MAIL, RCPT, DATA, RSET, NOOP, VRFY, HELP, QUIT; anything else gets 500. No PIPELINING, CHUNKING,
 * or SMTPUTF8 is advertised.
 *
 * <pre>{@code
 * try (SmtpPeer peer = SmtpPeer.builder().certificate(mx).reply("RCPT", "450 4.2.0 mailbox busy").start()) {
 *     ... deliver to 127.0.0.1:peer.port() ...
 *     Session session = peer.awaitSessions(1, Duration.ofSeconds(10)).get(0);
 *     assertThat(session.transcript()).contains("[tls] QUIT").noneMatch(line -> line.contains("MAIL FROM"));
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops accepting, cuts every connection and joins the peer's threads.
 */
public final class SmtpPeer implements AutoCloseable {
    private static final Pattern REPLY_LINE = Pattern.compile("[2-5]\\d\\d([ -].*)?");
    private static final long JOIN_MILLIS = 2_000;

    private final Config config;
    private final ServerSocket server;
    private final Thread acceptor;
    private final String name;
    private final Map<String, String> overrides = new ConcurrentHashMap<>();
    private final Map<String, String> recipientOverrides = new ConcurrentHashMap<>();
    /** Replies for the first sessions only (key: command verb), before {@link #overrides}. */
    private final Map<String, FirstSessions> firstSessions;
    /** Guards sessions, messages, errors and closing; notified on every change tests wait for. */
    private final Object monitor = new Object();
    private final List<Session> sessions = new ArrayList<>();
    private final List<Received> messages = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    /** Connections whose thread may still run: kept until found dead, so that close() joins every live thread. */
    private final Map<Connection, Thread> threads = new ConcurrentHashMap<>();
    private volatile boolean closing;

    private SmtpPeer(Builder builder) throws IOException {
        this.config = new Config(builder);
        overrides.putAll(builder.overrides);
        recipientOverrides.putAll(builder.recipientOverrides);
        this.firstSessions = Map.copyOf(builder.firstSessions);
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(config.address, config.port), 50);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        this.name = "smtp-peer-" + server.getLocalPort();
        this.acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on (the one chosen by the system when the builder said 0). */
    public int port() {
        return server.getLocalPort();
    }

    /** The address it listens on (127.0.0.1 unless the builder said otherwise). */
    public InetAddress address() {
        return server.getInetAddress();
    }

    /** Every connection so far, in accept order, open or ended. */
    public List<Session> sessions() {
        synchronized (monitor) {
            return List.copyOf(sessions);
        }
    }

    /** The messages accepted so far (end of data answered 2xx), in order, over all connections. */
    public List<Received> messages() {
        synchronized (monitor) {
            return List.copyOf(messages);
        }
    }

    /** Unexpected failures inside the peer (bugs, accept errors); empty in a healthy run. */
    public List<String> errors() {
        synchronized (monitor) {
            return List.copyOf(errors);
        }
    }

    /**
     * Waits until at least {@code count} connections have <em>ended</em> (so their transcripts are final) and returns
     * all sessions, in accept order; throws {@link IllegalStateException}, describing what the peer saw, on timeout.
     */
    public List<Session> awaitSessions(int count, Duration timeout) {
        await(() -> sessions.stream().filter(Session::ended).count() >= count, timeout,
            count + " ended session(s)");
        return sessions();
    }

    /**
     * Waits until at least {@code count} messages were accepted and returns them all; throws
     * {@link IllegalStateException}, describing what the peer saw, on timeout.
     */
    public List<Received> awaitMessages(int count, Duration timeout) {
        await(() -> messages.size() >= count, timeout, count + " accepted message(s)");
        return messages();
    }

    private void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; " + describe());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, e);
                }
            }
        }
    }

    /**
     * Changes a reply while the peer runs (e.g. a temporary failure, then success for the retry); the keys are
     * those of {@link Builder#reply}. Connections use the reply in force when they reach the command.
     */
    public SmtpPeer reply(String command, String reply) {
        overrides.put(key(command), checkReply(reply));
        return this;
    }

    /** Back to the peer's own reply for that command. */
    public SmtpPeer clearReply(String command) {
        overrides.remove(key(command));
        return this;
    }

    /** Stops accepting, cuts every open connection, and waits (briefly) for the peer's threads to end. Idempotent. */
    @Override
    public void close() {
        synchronized (monitor) {
            if (closing) {
                return;
            }
            closing = true;
            monitor.notifyAll();
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing is best effort
        }
        List<Thread> running = new ArrayList<>();
        running.add(acceptor);
        threads.forEach((connection, thread) -> {
            connection.abort();
            running.add(thread);
        });
        long deadline = System.currentTimeMillis() + JOIN_MILLIS;
        for (Thread thread : running) {
            try {
                thread.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (thread.isAlive()) {
                error("thread " + thread.getName() + " did not end within " + JOIN_MILLIS + " ms of close()");
            }
        }
    }

    @Override
    public String toString() {
        return name + " " + describe();
    }

    private String describe() {
        synchronized (monitor) {
            StringBuilder text = new StringBuilder(messages.size() + " message(s), " + sessions.size() + " session(s)");
            sessions.forEach(session -> text.append("\n  ").append(session));
            errors.forEach(error -> text.append("\n  error: ").append(error));
            return text.toString();
        }
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException | RuntimeException e) {
                if (closing || server.isClosed()) {
                    return;
                }
                // e.g. too many open files: note it, breathe, go on accepting
                error("accept: " + PeerTls.describe(e));
                pause();
                continue;
            }
            try {
                serve(socket);
            } catch (RuntimeException | Error e) {
                error("cannot serve a connection: " + PeerTls.describe(e));
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
            }
        }
    }

    private void serve(Socket socket) {
        synchronized (monitor) {
            // Under the monitor, so that close() sees every thread started before it and none starts after it.
            if (closing) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
                return;
            }
            Session session = new Session(sessions.size() + 1, socket.getInetAddress().getHostAddress() + ":" + socket.getPort());
            Connection connection = new Connection(this, config, socket, session);
            Thread thread = new Thread(connection, name + "-session-" + session.id());
            thread.setDaemon(true);
            sessions.add(session);
            threads.values().removeIf(running -> !running.isAlive());
            threads.put(connection, thread);
            monitor.notifyAll();
            try {
                thread.start();
            } catch (RuntimeException | Error e) {
                threads.remove(connection);
                session.end(Session.Ending.ERROR, "cannot start a thread: " + e);
                throw e;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean closing() {
        return closing;
    }

    /** The reply to {@code command} in this session: a first-sessions reply, else a reply override, else {@code otherwise}. */
    String override(Session session, String command, String otherwise) {
        FirstSessions early = firstSessions.get(command);
        if (early != null && session.id() <= early.sessions) {
            return early.reply;
        }
        return overrides.getOrDefault(command, otherwise);
    }

    String recipientOverride(String address) {
        return recipientOverrides.get(address.toLowerCase(Locale.ROOT));
    }

    void accept(Received message) {
        synchronized (monitor) {
            messages.add(message);
            monitor.notifyAll();
        }
    }

    void error(String text) {
        synchronized (monitor) {
            errors.add(text);
            monitor.notifyAll();
        }
    }

    void ended(Connection connection) {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    private static String key(String command) {
        String key = command.trim().toUpperCase(Locale.ROOT);
        if (key.isEmpty() || key.contains(" ")) {
            throw new IllegalArgumentException("a reply is keyed by a command verb (MAIL, RCPT, DATA, DATA-END, ...), not '" + command + "'");
        }
        return key;
    }

    /** One reply line ("450 4.2.0 busy"), or several separated by '\n' ("250-a\n250 b"), each with a 2xx-5xx code. */
    private static String checkReply(String reply) {
        if (reply == null || reply.isEmpty()) {
            throw new IllegalArgumentException("empty reply");
        }
        for (String line : reply.split("\r?\n")) {
            if (!REPLY_LINE.matcher(line).matches()) {
                throw new IllegalArgumentException("not an SMTP reply line: '" + line + "' in '" + reply + "'");
            }
        }
        return reply;
    }

    /** A reply that holds for the connections numbered 1..sessions only. */
    private static final class FirstSessions {
        final int sessions;
        final String reply;

        FirstSessions(int sessions, String reply) {
            this.sessions = sessions;
            this.reply = reply;
        }
    }

    /** How the peer behaves; {@link #start()} binds it and starts accepting. */
    public static final class Builder {
        InetAddress address = InetAddress.getLoopbackAddress();
        int port;
        IssuedCertificate certificate;
        boolean advertiseStartTls = true;
        boolean advertiseAuth = true;
        List<String> protocols = List.of();
        List<String> cipherSuites = List.of();
        boolean dropAfterStartTls;
        Config.HandshakeFailure handshakeFailure = Config.HandshakeFailure.NONE;
        Config.ClientAuth clientAuth = Config.ClientAuth.NONE;
        List<X509Certificate> clientCas = List.of();
        String greeting = "220 peer.test ESMTP";
        String ehloName = "peer.test";
        Duration readTimeout = Duration.ofSeconds(60);
        long maxMessageSize = 52_428_800;
        final Map<String, String> overrides = new ConcurrentHashMap<>();
        final Map<String, String> recipientOverrides = new ConcurrentHashMap<>();
        final Map<String, FirstSessions> firstSessions = new ConcurrentHashMap<>();

        private Builder() {
        }

        /** Where to listen; 127.0.0.1 by default (127.0.0.2 etc. for per-address rules). */
        public Builder address(InetAddress address) {
            this.address = address;
            return this;
        }

        /** 0 (the default) lets the system choose; see {@link SmtpPeer#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /** The server chain and key shown in the handshake: served as is, even expired or for the wrong name. */
        public Builder certificate(IssuedCertificate certificate) {
            this.certificate = certificate;
            return this;
        }

        /** Whether EHLO lists STARTTLS (default true); without it, STARTTLS is answered 502 (unless overridden). */
        public Builder advertiseStartTls(boolean advertise) {
            this.advertiseStartTls = advertise;
            return this;
        }

        /** Whether EHLO lists AUTH PLAIN LOGIN (default true); any credentials are accepted and the user recorded. */
        public Builder advertiseAuth(boolean advertise) {
            this.advertiseAuth = advertise;
            return this;
        }

        /** Restricts the peer's TLS protocols, e.g. "TLSv1.2"; the JDK's enabled ones by default. */
        public Builder enabledProtocols(String... protocols) {
            this.protocols = List.of(protocols);
            return this;
        }

        /** Restricts the peer's cipher suites, e.g. "TLS_AES_128_GCM_SHA256"; the JDK's enabled ones by default. */
        public Builder enabledCipherSuites(String... suites) {
            this.cipherSuites = List.of(suites);
            return this;
        }

        /** Answers 220 to STARTTLS, then closes the connection without a handshake. */
        public Builder dropAfterStartTls() {
            this.dropAfterStartTls = true;
            return this;
        }

        /**
         * Answers 220 to STARTTLS and starts the handshake, but with no credentials for any cipher suite: the peer's
         * JDK reads the client's hello (SNI is recorded) and ends with a fatal handshake_failure alert, like a server
         * with no cipher suite in common. The failure is recorded in {@link Session#handshake()}.
         */
        public Builder failHandshake() {
            this.handshakeFailure = Config.HandshakeFailure.NO_SHARED_CIPHER;
            return this;
        }

        /** Answers 220 to STARTTLS, reads the client's first TLS record, and closes the connection without an alert. */
        public Builder closeDuringHandshake() {
            this.handshakeFailure = Config.HandshakeFailure.CLOSE_AFTER_CLIENT_HELLO;
            return this;
        }

        /**
         * Requires a client certificate (TLS "need" client auth) that chains (PKIX, no revocation check) to one of
         * these CAs, which the certificate request also names; the handshake fails otherwise. The presented chain is
         * recorded either way.
         */
        public Builder requireClientCertificate(List<X509Certificate> trustedCas) {
            this.clientAuth = Config.ClientAuth.NEED;
            this.clientCas = List.copyOf(trustedCas);
            return this;
        }

        /**
         * Asks for a client certificate (TLS "want" client auth), naming these CAs in the request, and accepts any
         * chain or none: {@link Handshake#clientCertificates()} shows what the client presented.
         */
        public Builder wantClientCertificate(List<X509Certificate> advertisedCas) {
            this.clientAuth = Config.ClientAuth.WANT;
            this.clientCas = List.copyOf(advertisedCas);
            return this;
        }

        /**
         * Overrides the peer's reply to a command: "MAIL", "RCPT", "DATA" (the reply to DATA itself, 354 by default;
         * anything else refuses the data phase), "DATA-END" (after the final ".", 250 by default), and as well
         * "EHLO", "HELO", "STARTTLS" (a reply other than 220 means no handshake), "AUTH" (the final reply), "RSET",
         * "NOOP", "VRFY", "HELP", "QUIT" or any unknown verb. A 2xx reply to MAIL/RCPT/DATA-END accepts, anything
         * else refuses. Several lines are separated by '\n': {@code "250-peer.test\n250 SIZE 10"}.
         */
        public Builder reply(String command, String reply) {
            overrides.put(key(command), checkReply(reply));
            return this;
        }

        /**
         * Like {@link #reply}, but only in the first {@code sessions} connections (by {@link Session#id()}); later
         * ones get the peer's usual reply. For a server that fails once and then recovers, e.g. a retry that works:
         * {@code replyInFirstSessions(1, "RCPT", "450 4.2.0 mailbox busy")}. Beats {@link #reply} in those sessions.
         */
        public Builder replyInFirstSessions(int sessions, String command, String reply) {
            if (sessions < 1) {
                throw new IllegalArgumentException("sessions " + sessions);
            }
            firstSessions.put(key(command), new FirstSessions(sessions, checkReply(reply)));
            return this;
        }

        /** The RCPT reply for one recipient (case-insensitive, without angle brackets); beats {@code reply("RCPT", ...)}. */
        public Builder replyToRecipient(String address, String reply) {
            recipientOverrides.put(address.toLowerCase(Locale.ROOT), checkReply(reply));
            return this;
        }

        /**
         * The banner, "220 peer.test ESMTP" by default. With 421 the peer closes right after it; with any other
         * non-220 code (e.g. "554 5.3.2 no service") it answers every command but QUIT with 503, as RFC 5321 says.
         */
        public Builder greeting(String greeting) {
            this.greeting = checkReply(greeting);
            return this;
        }

        /** The name in the first line of the EHLO reply and in the HELO reply; "peer.test" by default. */
        public Builder ehloName(String name) {
            this.ehloName = name;
            return this;
        }

        /** How long a silent client is waited for (also during the handshake); 60 s by default. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** The SIZE advertised and enforced (552 beyond it); 50 MiB by default. */
        public Builder maxMessageSize(long bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Binds and starts accepting. Fails at once (rather than at the first handshake) when STARTTLS would need a
         * certificate that is missing, or when a protocol or suite is unknown to the JDK.
         */
        public SmtpPeer start() {
            boolean handshakes = !dropAfterStartTls && handshakeFailure != Config.HandshakeFailure.NO_SHARED_CIPHER
                && handshakeFailure != Config.HandshakeFailure.CLOSE_AFTER_CLIENT_HELLO;
            boolean startTlsPossible = advertiseStartTls || overrides.getOrDefault("STARTTLS", "").startsWith("220");
            if (certificate == null && handshakes && startTlsPossible) {
                throw new IllegalStateException("STARTTLS is offered but no certificate(...) was given;"
                    + " use advertiseStartTls(false) for a plaintext peer");
            }
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("read timeout " + readTimeout);
            }
            try {
                SSLParameters supported = SSLContext.getDefault().getSupportedSSLParameters();
                unknown(protocols, supported.getProtocols(), "protocol");
                unknown(cipherSuites, supported.getCipherSuites(), "cipher suite");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no TLS in this JVM", e);
            }
            try {
                return new SmtpPeer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot listen on " + address.getHostAddress() + ":" + port, e);
            }
        }

        private static void unknown(List<String> wanted, String[] supported, String what) {
            for (String name : wanted) {
                if (!Arrays.asList(supported).contains(name)) {
                    throw new IllegalArgumentException("unknown " + what + " " + name + "; this JDK supports " + Arrays.toString(supported));
                }
            }
        }
    }
}
