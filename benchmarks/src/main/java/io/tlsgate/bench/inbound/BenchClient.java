package io.tlsgate.bench.inbound;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One benchmark SMTP session as an MTA would run it: connect, EHLO, STARTTLS with a client certificate, EHLO again,
 * then M messages (MAIL, RCPT, DATA, one per reply, no pipelining), QUIT. Throws on any reply but the expected one,
 * so that a refused or lost message can never pass for a fast one.
 */
final class BenchClient {
    private static final int TIMEOUT_MILLIS = 60_000;

    private BenchClient() {
    }

    /** What a session negotiated, for the report. */
    static final class Outcome {
        final String tls;
        final int accepted;

        Outcome(String tls, int accepted) {
            this.tls = tls;
            this.accepted = accepted;
        }
    }

    /**
     * @param context the client's TLS context (presents the client certificate, trusts the demo CA)
     * @param ids one id per message: it goes into the X-Inbound-Bench-Id header, so that arrival can be counted per message
     */
    static Outcome session(int port, SSLContext context, String recipient, List<String> ids, String body) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            plain.setTcpNoDelay(true);
            Lines lines = new Lines(plain);
            lines.expect(220, null);
            lines.expect(250, "EHLO client.partners.demo.test");
            lines.expect(220, "STARTTLS");
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            String negotiated = tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite();
            // Every session a full handshake with the certificate: no resumption from the client's session cache.
            tls.getSession().invalidate();
            lines = new Lines(tls);
            lines.expect(250, "EHLO client.partners.demo.test");
            int accepted = 0;
            for (String id : ids) {
                lines.expect(250, "MAIL FROM:<sender@partners.demo.test>");
                lines.expect(250, "RCPT TO:<" + recipient + ">");
                lines.expect(354, "DATA");
                lines.expect(250, "From: <sender@partners.demo.test>\r\nTo: <" + recipient + ">\r\nSubject: inbound benchmark " + id
                    + "\r\n" + InboundBenchmark.ID_HEADER + ": " + id + "\r\nMessage-ID: <" + id + "@inbound-bench.demo.test>\r\n\r\n"
                    + body + ".");
                accepted++;
            }
            lines.expect(221, "QUIT");
            return new Outcome(negotiated, accepted);
        }
    }

    /** Sends one command (or nothing) and reads the reply; the checked reply code or an exception naming the reply. */
    static final class Lines {
        private final BufferedReader in;
        private final OutputStream out;

        Lines(Socket socket) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
        }

        void expect(int code, String command) throws IOException {
            String reply = send(command);
            if (!reply.startsWith(String.valueOf(code))) {
                throw new IOException((command == null ? "greeting" : command.split("\r\n", 2)[0]) + ": expected " + code + ", got " + reply);
            }
        }

        /** The reply's last line (the whole reply when it has one line). */
        String send(String command) throws IOException {
            if (command != null) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return "connection closed";
                }
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return line;
                }
            }
        }
    }
}
