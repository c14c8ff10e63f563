package io.tlsgate.demo.peer;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLSocket;

/**
 * One client connection to the {@link SmtpPeer}: the SMTP conversation, on a thread of its own. Everything but
 * {@link #abort()} runs on that thread.
 */
final class Connection implements Runnable {
    /** RFC 5321 asks for 512; room is left for extension parameters. */
    private static final int MAX_COMMAND = 4096;
    private static final int DATA_CHUNK = 8192;
    private static final int MAX_RECIPIENTS = 1000;
    private static final Set<String> MAIL_PARAMETERS = Set.of("SIZE", "BODY", "RET", "ENVID", "AUTH");
    private static final Set<String> RCPT_PARAMETERS = Set.of("NOTIFY", "ORCPT");

    private final SmtpPeer peer;
    private final Config config;
    private final Socket raw;
    private final Session session;

    private Socket socket;
    private LineInput in;
    private OutputStream out;
    private boolean tls;
    private String helo;
    private boolean authenticated;
    private String sender;
    private List<String> mailParameters = List.of();
    private final List<String> recipients = new ArrayList<>();
    private int accepted;

    Connection(SmtpPeer peer, Config config, Socket raw, Session session) {
        this.peer = peer;
        this.config = config;
        this.raw = raw;
        this.session = session;
        this.socket = raw;
    }

    Session session() {
        return session;
    }

    /** Cuts the connection from another thread: closing the plain socket unblocks any read or write on it. */
    void abort() {
        closeQuietly(raw);
    }

    @Override
    public void run() {
        Session.Ending ending = Session.Ending.ERROR;
        String detail = "";
        try {
            raw.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, config.readTimeout.toMillis())));
            raw.setTcpNoDelay(true);
            use(raw);
            ending = converse();
        } catch (EOFException e) {
            ending = peer.closing() ? Session.Ending.PEER_SHUTDOWN : Session.Ending.CLIENT_CLOSED;
            detail = e.getMessage();
        } catch (SocketTimeoutException e) {
            ending = peer.closing() ? Session.Ending.PEER_SHUTDOWN : Session.Ending.TIMEOUT;
            detail = "nothing read for " + config.readTimeout.toMillis() + " ms";
        } catch (IOException e) {
            ending = peer.closing() ? Session.Ending.PEER_SHUTDOWN : Session.Ending.CLIENT_CLOSED;
            detail = PeerTls.describe(e);
        } catch (RuntimeException | Error e) {
            // A bug in the peer: recorded for the test to see, never thrown out of the thread.
            ending = Session.Ending.ERROR;
            detail = PeerTls.describe(e);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            session.error(trace.toString());
            peer.error("session " + session.id() + ": " + trace);
        } finally {
            closeQuietly(socket);
            closeQuietly(raw);
            session.end(ending, detail);
            peer.ended(this);
        }
    }

    private void use(Socket next) throws IOException {
        socket = next;
        in = new LineInput(next.getInputStream());
        out = new BufferedOutputStream(next.getOutputStream());
    }

    private Session.Ending converse() throws IOException {
        reply(config.greeting);
        int greeting = code(config.greeting);
        if (greeting == 421) {
            return Session.Ending.PEER_CLOSED;
        }
        boolean inService = greeting == 220;
        while (true) {
            byte[] line = in.readLine(MAX_COMMAND);
            if (line == null) {
                throw new EOFException();
            }
            if (!LineInput.terminated(line)) {
                if (in.atEnd()) {
                    throw new EOFException("end of stream inside a command line");
                }
                skipRestOfLine();
                session.command(new String(line, 0, Math.min(80, line.length), StandardCharsets.UTF_8) + "...");
                reply("500 5.5.2 Line too long");
                continue;
            }
            String command = new String(LineInput.content(line), StandardCharsets.UTF_8);
            int space = command.indexOf(' ');
            String verb = (space < 0 ? command : command.substring(0, space)).toUpperCase(Locale.ROOT);
            String argument = space < 0 ? "" : command.substring(space + 1);
            session.command(verb.equals("AUTH") ? maskedAuth(command, argument) : command);
            if (verb.equals("QUIT")) {
                session.markQuit();
                try {
                    reply(peer.override(session, "QUIT", "221 2.0.0 Bye"));
                } catch (IOException e) {
                    // the client may hang up without waiting for 221: QUIT was still seen
                }
                return Session.Ending.QUIT;
            }
            if (!inService) {
                reply("503 5.5.1 No service here, only QUIT");
                continue;
            }
            switch (verb) {
                case "EHLO":
                case "HELO":
                    hello(verb, argument.trim());
                    break;
                case "STARTTLS":
                    Session.Ending ending = startTls(argument.trim());
                    if (ending != null) {
                        return ending;
                    }
                    break;
                case "AUTH":
                    auth(argument.trim());
                    break;
                case "MAIL":
                    mail(argument);
                    break;
                case "RCPT":
                    rcpt(argument);
                    break;
                case "DATA":
                    data(argument.trim());
                    break;
                case "RSET":
                    resetTransaction();
                    reply(peer.override(session, "RSET", "250 2.0.0 OK"));
                    break;
                case "NOOP":
                    reply(peer.override(session, "NOOP", "250 2.0.0 OK"));
                    break;
                case "VRFY":
                    reply(peer.override(session, "VRFY", "252 2.5.0 Cannot VRFY user, but will accept the message"));
                    break;
                case "HELP":
                    reply(peer.override(session, "HELP", "214 2.0.0 " + config.ehloName + " is a test SMTP peer"));
                    break;
                default:
                    reply(peer.override(session, verb, "500 5.5.2 Command not recognized"));
            }
        }
    }

    private void hello(String verb, String name) throws IOException {
        if (name.isEmpty()) {
            reply("501 5.5.4 Syntax: " + verb + " domain");
            return;
        }
        String answer = peer.override(session, verb, null);
        if (answer == null) {
            if (verb.equals("HELO")) {
                answer = "250 " + config.ehloName;
            } else {
                List<String> lines = new ArrayList<>(List.of(config.ehloName + " greets " + name, "8BITMIME",
                    "ENHANCEDSTATUSCODES", "SIZE " + config.maxMessageSize, "DSN"));
                if (config.advertiseAuth) {
                    lines.add("AUTH PLAIN LOGIN");
                }
                if (config.advertiseStartTls && !tls) {
                    lines.add("STARTTLS");
                }
                answer = multiline("250", lines);
            }
        }
        resetTransaction();
        if (success(answer)) {
            helo = name;
            session.heloName(name);
        }
        reply(answer);
    }

    /** Returns how the connection ends when STARTTLS ends it, or null to go on talking. */
    private Session.Ending startTls(String argument) throws IOException {
        session.markStartTls();
        if (!argument.isEmpty()) {
            reply("501 5.5.4 Syntax: STARTTLS");
            return null;
        }
        if (tls) {
            reply("503 5.5.1 TLS already active");
            return null;
        }
        String answer = peer.override(session, "STARTTLS",
            config.advertiseStartTls ? "220 2.0.0 Ready to start TLS" : "502 5.5.1 STARTTLS not offered");
        reply(answer);
        if (code(answer) != 220) {
            return null;
        }
        int injected = in.discardPending();
        if (injected > 0) {
            session.discardedAfterStartTls(injected);
        }
        if (config.dropAfterStartTls) {
            return Session.Ending.PEER_CLOSED;
        }
        if (config.handshakeFailure == Config.HandshakeFailure.CLOSE_AFTER_CLIENT_HELLO) {
            readOneRecord(raw.getInputStream());
            session.handshake(Handshake.failed("closed by the peer after the client's first TLS record (closeDuringHandshake)",
                List.of(), List.of()));
            return Session.Ending.PEER_CLOSED;
        }
        PeerTls.Witness witness = new PeerTls.Witness();
        SSLSocket ssl = PeerTls.wrap(config, raw, witness);
        socket = ssl;
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            session.handshake(PeerTls.failed(e, witness));
            return peer.closing() ? Session.Ending.PEER_SHUTDOWN
                : e instanceof SocketTimeoutException ? Session.Ending.TIMEOUT : Session.Ending.HANDSHAKE_FAILED;
        }
        Handshake handshake = PeerTls.succeeded(ssl, witness);
        use(ssl);
        tls = true;
        session.handshake(handshake);
        // RFC 3207: forget everything learnt before TLS; the client starts again with EHLO.
        helo = null;
        authenticated = false;
        resetTransaction();
        return null;
    }

    /** Reads one TLS record (the client's hello, normally) from the plain stream, if the client sends one. */
    private static void readOneRecord(InputStream plain) throws IOException {
        byte[] header = plain.readNBytes(5);
        if (header.length == 5) {
            int length = (header[3] & 0xff) << 8 | header[4] & 0xff;
            plain.readNBytes(length);
        }
    }

    private void auth(String argument) throws IOException {
        session.markAuth();
        if (!config.advertiseAuth) {
            reply("502 5.5.1 AUTH not offered");
            return;
        }
        if (helo == null) {
            reply("503 5.5.1 Send EHLO first");
            return;
        }
        if (authenticated) {
            reply("503 5.5.1 Already authenticated");
            return;
        }
        if (sender != null) {
            reply("503 5.5.1 AUTH not allowed during a mail transaction");
            return;
        }
        String[] parts = argument.split(" +");
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length > 1 ? parts[1] : null;
        String user;
        if (mechanism.equals("PLAIN")) {
            String response = initial != null ? initial : challenge("334 ");
            if (response == null) {
                return;
            }
            String decoded = decode(response);
            String[] fields = decoded == null ? new String[0] : decoded.split("\0", -1);
            if (fields.length != 3) {
                reply("501 5.5.2 Cannot decode the PLAIN response");
                return;
            }
            user = fields[1];
        } else if (mechanism.equals("LOGIN")) {
            String name = initial != null ? initial : challenge("334 VXNlcm5hbWU6");
            if (name == null) {
                return;
            }
            user = decode(name);
            if (user == null) {
                reply("501 5.5.2 Cannot decode the user name");
                return;
            }
            if (challenge("334 UGFzc3dvcmQ6") == null) {
                return;
            }
        } else {
            reply("504 5.5.4 Unrecognized authentication type");
            return;
        }
        String answer = peer.override(session, "AUTH", "235 2.7.0 Authentication successful");
        if (success(answer)) {
            authenticated = true;
            session.authenticatedUser(user);
        }
        reply(answer);
    }

    /** Sends a 334 challenge and returns the client's answer, or null after answering a cancellation ("*"). */
    private String challenge(String prompt) throws IOException {
        reply(prompt);
        byte[] line = in.readLine(MAX_COMMAND);
        if (line == null || !LineInput.terminated(line) && in.atEnd()) {
            throw new EOFException("end of stream during AUTH");
        }
        if (!LineInput.terminated(line)) {
            skipRestOfLine();
            reply("500 5.5.2 Line too long");
            return null;
        }
        String response = new String(LineInput.content(line), StandardCharsets.US_ASCII).trim();
        if (response.equals("*")) {
            reply("501 5.0.0 Authentication cancelled");
            return null;
        }
        return response;
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void mail(String argument) throws IOException {
        session.markMailFrom();
        if (helo == null) {
            reply("503 5.5.1 Send EHLO or HELO first");
            return;
        }
        if (sender != null) {
            reply("503 5.5.1 Sender already specified");
            return;
        }
        Path path = Path.parse(argument, "FROM:");
        if (path == null) {
            reply("501 5.5.4 Syntax: MAIL FROM:<address> [parameters]");
            return;
        }
        String refusal = refuseParameters(path.parameters, MAIL_PARAMETERS);
        if (refusal != null) {
            reply(refusal);
            return;
        }
        String answer = peer.override(session, "MAIL", "250 2.1.0 Sender <" + path.address + "> OK");
        if (success(answer)) {
            sender = path.address;
            mailParameters = path.parameters;
            recipients.clear();
        }
        reply(answer);
    }

    private void rcpt(String argument) throws IOException {
        if (sender == null) {
            reply("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        Path path = Path.parse(argument, "TO:");
        if (path == null || path.address.isEmpty()) {
            reply("501 5.5.4 Syntax: RCPT TO:<address> [parameters]");
            return;
        }
        String refusal = refuseParameters(path.parameters, RCPT_PARAMETERS);
        if (refusal != null) {
            reply(refusal);
            return;
        }
        if (recipients.size() >= MAX_RECIPIENTS) {
            reply("452 4.5.3 Too many recipients");
            return;
        }
        String answer = peer.recipientOverride(path.address);
        if (answer == null) {
            answer = peer.override(session, "RCPT", "250 2.1.5 Recipient <" + path.address + "> OK");
        }
        if (success(answer)) {
            recipients.add(path.address);
        }
        reply(answer);
    }

    private String refuseParameters(List<String> parameters, Set<String> known) {
        for (String parameter : parameters) {
            int equals = parameter.indexOf('=');
            String keyword = (equals < 0 ? parameter : parameter.substring(0, equals)).toUpperCase(Locale.ROOT);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            if (!known.contains(keyword)) {
                return "555 5.5.4 Unsupported parameter " + parameter;
            }
            if (keyword.equals("SIZE")) {
                try {
                    if (Long.parseLong(value) > config.maxMessageSize) {
                        return "552 5.3.4 Message size exceeds fixed maximum message size";
                    }
                } catch (NumberFormatException e) {
                    return "501 5.5.4 Bad SIZE value " + value;
                }
            }
            if (keyword.equals("BODY") && !value.equalsIgnoreCase("7BIT") && !value.equalsIgnoreCase("8BITMIME")) {
                return "501 5.5.4 Bad BODY value " + value;
            }
        }
        return null;
    }

    private void data(String argument) throws IOException {
        if (!argument.isEmpty()) {
            reply("501 5.5.4 Syntax: DATA");
            return;
        }
        if (sender == null) {
            reply("503 5.5.1 Need MAIL command");
            return;
        }
        if (recipients.isEmpty()) {
            reply("554 5.5.1 No valid recipients");
            return;
        }
        String answer = peer.override(session, "DATA", "354 End data with <CR><LF>.<CR><LF>");
        reply(answer);
        if (code(answer) != 354) {
            return;
        }
        byte[] message = readData();
        String end = message == null ? "552 5.3.4 Message exceeds fixed maximum message size"
            : peer.override(session, "DATA-END", "250 2.0.0 OK: queued as " + session.id() + "." + ++accepted);
        if (message != null && success(end)) {
            // Visible in messages() before the client reads the 250.
            peer.accept(new Received(session.id(), tls, sender, mailParameters, recipients, message));
        }
        resetTransaction();
        reply(end);
    }

    /** The message up to CRLF.CRLF, dot-unstuffed; null when it exceeded the maximum size (it is read to its end). */
    private byte[] readData() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        boolean tooBig = false;
        boolean lineStart = true;
        while (true) {
            byte[] chunk = in.readLine(DATA_CHUNK);
            if (chunk == null) {
                throw new EOFException("end of stream in the data phase");
            }
            boolean complete = LineInput.terminated(chunk);
            if (lineStart && complete && isEndOfData(chunk)) {
                return tooBig ? null : data.toByteArray();
            }
            session.dataBytes(chunk.length);
            if (!complete && in.atEnd()) {
                throw new EOFException("end of stream in the data phase");
            }
            int skip = lineStart && chunk[0] == '.' ? 1 : 0;
            if (!tooBig) {
                if (data.size() + (long) chunk.length - skip > config.maxMessageSize) {
                    tooBig = true;
                    data = new ByteArrayOutputStream();
                } else {
                    data.write(chunk, skip, chunk.length - skip);
                }
            }
            lineStart = complete;
        }
    }

    private static boolean isEndOfData(byte[] line) {
        return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n'
            || line.length == 2 && line[0] == '.' && line[1] == '\n';
    }

    private void skipRestOfLine() throws IOException {
        while (true) {
            byte[] more = in.readLine(MAX_COMMAND);
            if (more == null || !LineInput.terminated(more) && in.atEnd()) {
                throw new EOFException();
            }
            if (LineInput.terminated(more)) {
                return;
            }
        }
    }

    private void resetTransaction() {
        sender = null;
        mailParameters = List.of();
        recipients.clear();
    }

    private void reply(String text) throws IOException {
        StringBuilder wire = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            wire.append(line).append("\r\n");
        }
        out.write(wire.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String multiline(String code, List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            text.append(code).append(i == lines.size() - 1 ? " " : "-").append(lines.get(i));
            if (i < lines.size() - 1) {
                text.append('\n');
            }
        }
        return text.toString();
    }

    private static String maskedAuth(String command, String argument) {
        String[] parts = argument.trim().split(" +");
        return parts.length > 1 ? command.substring(0, command.indexOf(' ')) + " " + parts[0] + " ***" : command;
    }

    static int code(String reply) {
        return Integer.parseInt(reply.substring(0, 3));
    }

    private static boolean success(String reply) {
        return reply.charAt(0) == '2';
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (IOException | RuntimeException e) {
            // closing is best effort
        }
    }

    /** A MAIL FROM or RCPT TO argument: the address between angle brackets, then the parameters. */
    private static final class Path {
        final String address;
        final List<String> parameters;

        private Path(String address, List<String> parameters) {
            this.address = address;
            this.parameters = parameters;
        }

        /** Lenient about a space after the colon (clients send one); null when it is not {@code KEYWORD<address>}. */
        static Path parse(String argument, String keyword) {
            if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
                return null;
            }
            String rest = argument.substring(keyword.length()).stripLeading();
            int close = rest.indexOf('>');
            if (!rest.startsWith("<") || close < 0) {
                return null;
            }
            String tail = rest.substring(close + 1);
            if (!tail.isEmpty() && !tail.startsWith(" ")) {
                return null;
            }
            return new Path(rest.substring(1, close), tail.isBlank() ? List.of() : List.of(tail.trim().split(" +")));
        }
    }
}
