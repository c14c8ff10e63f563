package io.tlsgate.demo.smtp;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;

/**
 * A plain JDK SMTP client for tests and the demo's self-check: it sends exactly what it is told, so a test can
 * probe what a server does with any sequence of commands, and it reports a closed connection as a reply.
 */
public final class SmtpClient implements Closeable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        use(socket);
    }

    /** Connects in plaintext (for STARTTLS); the greeting is left to {@link #readReply()}. */
    public static SmtpClient connect(String host, int port) {
        return connect(host, port, null);
    }

    /** Connects from a chosen local address (e.g. 127.0.0.2), so that per-address rules can be exercised. */
    public static SmtpClient connect(String host, int port, InetAddress localAddress) {
        try {
            Socket socket = new Socket();
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            return new SmtpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /** Connects with TLS from the first byte (port 465 style) and completes the handshake. */
    public static SmtpClient connectTls(String host, int port, InetAddress localAddress, TlsOptions tls) {
        SmtpClient client = connect(host, port, localAddress);
        client.handshake(tls, host, port);
        return client;
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    public Reply command(String line) {
        write(line + "\r\n");
        return readReply();
    }

    /** Sends bytes as they are (for pipelining tests); CRLFs are the caller's. */
    public void write(String raw) {
        try {
            out.write(raw.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Reply readReply() {
        List<String> lines = new ArrayList<>();
        try {
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return lines.isEmpty() ? Reply.closed() : new Reply(code(lines), lines);
                }
                lines.add(line);
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return new Reply(code(lines), lines);
                }
            }
        } catch (SocketException e) {
            // A reset after the server closed counts as closed.
            return lines.isEmpty() ? Reply.closed() : new Reply(code(lines), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int code(List<String> lines) {
        try {
            return Integer.parseInt(lines.get(0).substring(0, 3));
        } catch (RuntimeException e) {
            throw new IllegalStateException("not an SMTP reply: " + lines);
        }
    }

    /** STARTTLS then the handshake; returns the server's reply to STARTTLS. */
    public Reply startTls(TlsOptions tls) {
        Reply reply = command("STARTTLS");
        if (reply.code() == 220) {
            handshake(tls, socket.getInetAddress().getHostAddress(), socket.getPort());
        }
        return reply;
    }

    private void handshake(TlsOptions tls, String host, int port) {
        try {
            SSLSocket ssl = (SSLSocket) tls.context().getSocketFactory().createSocket(socket, host, port, true);
            ssl.setUseClientMode(true);
            if (!tls.protocols().isEmpty()) {
                ssl.setEnabledProtocols(tls.protocols().toArray(new String[0]));
            }
            if (!tls.cipherSuites().isEmpty()) {
                ssl.setEnabledCipherSuites(tls.cipherSuites().toArray(new String[0]));
            }
            ssl.startHandshake();
            use(ssl);
        } catch (IOException e) {
            throw new UncheckedIOException("TLS handshake with " + host + ":" + port + " failed", e);
        }
    }

    /** The negotiated protocol and suite, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256", or "none". */
    public String tlsDescription() {
        if (socket instanceof SSLSocket) {
            return ((SSLSocket) socket).getSession().getProtocol() + " " + ((SSLSocket) socket).getSession().getCipherSuite();
        }
        return "none";
    }

    /** AUTH PLAIN (only ever over TLS in this project's tests). */
    public Reply authPlain(String user, String password) {
        String token = java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /** Sends a whole message to one recipient and returns the reply to the end of DATA (or the first refusal). */
    public Reply sendMail(String from, String to, String subject) {
        Reply reply = command("MAIL FROM:<" + from + ">");
        if (reply.code() != 250) {
            return reply;
        }
        reply = command("RCPT TO:<" + to + ">");
        if (reply.code() != 250) {
            return reply;
        }
        reply = command("DATA");
        if (reply.code() != 354) {
            return reply;
        }
        return command("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\n\r\nSent through TLS Gate.\r\n.");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }
}
