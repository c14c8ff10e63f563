package io.tlsgate.demo.smtp;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One SMTP reply (all its lines), or the fact that the server closed the connection instead of replying. */
public final class Reply {
    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\b");

    private final int code;
    private final List<String> lines;

    Reply(int code, List<String> lines) {
        this.code = code;
        this.lines = List.copyOf(lines);
    }

    static Reply closed() {
        return new Reply(-1, List.of());
    }

    public boolean isClosed() {
        return code < 0;
    }

    public int code() {
        return code;
    }

    public List<String> lines() {
        return lines;
    }

    /** The enhanced status code (RFC 3463) at the start of the text, or "" when there is none. */
    public String enhancedStatus() {
        if (lines.isEmpty()) {
            return "";
        }
        Matcher m = ENHANCED.matcher(text());
        return m.find() ? m.group(1) : "";
    }

    /** The text of the last line, after the code. */
    public String text() {
        if (lines.isEmpty()) {
            return "";
        }
        String last = lines.get(lines.size() - 1);
        return last.length() > 4 ? last.substring(4) : "";
    }

    /** "454 4.7.0": what tests compare. */
    public String codeAndStatus() {
        return isClosed() ? "(closed)" : (code + " " + enhancedStatus()).trim();
    }

    @Override
    public String toString() {
        return isClosed() ? "(connection closed)" : lines.get(lines.size() - 1);
    }
}
