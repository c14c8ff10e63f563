package io.tlsgate.demo.peer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an SMTP stream line by line, as bytes, with its own buffer, so the peer knows exactly which bytes a client
 * sent beyond the line it is answering (to discard plaintext pipelined after STARTTLS). Not thread-safe: one
 * connection thread owns it.
 */
final class LineInput {
    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private boolean ended;

    LineInput(InputStream in) {
        this.in = in;
    }

    /**
     * The next line with its terminator (LF, usually preceded by CR), or its first {@code max} bytes when it is longer
     * (the rest comes with the next calls, and the returned piece has no LF at its end). At the end of the stream,
     * an unterminated last piece shorter than {@code max} is returned once (see {@link #atEnd()}), then null.
     */
    byte[] readLine(int max) throws IOException {
        byte[] line = new byte[0];
        while (true) {
            if (position == limit) {
                int count = ended ? -1 : in.read(buffer);
                if (count < 0) {
                    ended = true;
                    return line.length == 0 ? null : line;
                }
                position = 0;
                limit = count;
            }
            int end = Math.min(limit, position + (max - line.length));
            int scan = position;
            while (scan < end && buffer[scan] != '\n') {
                scan++;
            }
            boolean terminated = scan < end;
            int take = (terminated ? scan + 1 : end) - position;
            byte[] longer = Arrays.copyOf(line, line.length + take);
            System.arraycopy(buffer, position, longer, line.length, take);
            line = longer;
            position += take;
            if (terminated || line.length >= max) {
                return line;
            }
        }
    }

    /** Whether the end of the stream was reached (an unterminated piece just returned was the client's last). */
    boolean atEnd() {
        return ended;
    }

    /** Bytes already read from the stream but not yet returned as lines. */
    int pending() {
        return limit - position;
    }

    /** Forgets the pending bytes; returns how many there were. */
    int discardPending() {
        int count = pending();
        position = limit;
        return count;
    }

    static boolean terminated(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\n';
    }

    /** The line without its LF or CRLF. */
    static byte[] content(byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
            if (end > 0 && line[end - 1] == '\r') {
                end--;
            }
        }
        return end == line.length ? line : Arrays.copyOf(line, end);
    }
}
