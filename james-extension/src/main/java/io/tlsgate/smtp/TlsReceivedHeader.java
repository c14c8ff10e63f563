package io.tlsgate.smtp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import io.tlsgate.policy.TlsFacts;

/**
 * Adds the TLS facts to the Received header James wrote for this session, as Sendmail does:
 * {@code with ESMTPS ID 1a2b3c (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK)}, with ESMTPS or
 * ESMTPSA (RFC 3848) instead of James's ESMTP and ESMTPA. Other Received headers are left as they are.
 */
final class TlsReceivedHeader {
    private static final String RECEIVED = "Received";
    private static final String FOLD = "\r\n          ";
    /** Compiled once: compiling a pattern per message showed in the inbound benchmark's profile. */
    private static final Pattern WITH = Pattern.compile(" with (ESMTPA|ESMTP|SMTP) ID ");

    private TlsReceivedHeader() {
    }

    /** @return whether the header was found (James's own for this session) and annotated */
    static boolean annotate(MimeMessage message, String sessionId, TlsFacts facts) throws MessagingException {
        String[] received = message.getHeader(RECEIVED);
        if (received == null || received.length == 0) {
            return false;
        }
        Matcher with = WITH.matcher(received[0]);
        int idEnd = -1;
        while (with.find()) {
            if (isSessionId(received[0], with.end(), sessionId)) {
                idEnd = with.end() + sessionId.length();
                break;
            }
        }
        if (idEnd < 0) {
            return false;
        }
        String protocol = with.group(1).equals("ESMTPA") ? "ESMTPSA" : with.group(1).equals("ESMTP") ? "ESMTPS" : "SMTP";
        String annotated = received[0].substring(0, with.start()) + " with " + protocol + " ID " + sessionId + FOLD + clause(facts)
            + received[0].substring(idEnd);
        // javax.mail adds a Received header above the existing ones: re-add from the oldest to the newest.
        message.removeHeader(RECEIVED);
        for (int i = received.length - 1; i >= 1; i--) {
            message.addHeader(RECEIVED, received[i]);
        }
        message.addHeader(RECEIVED, annotated);
        return true;
    }

    /** The session id at {@code at}, whole (not the start of a longer id). */
    private static boolean isSessionId(String header, int at, String sessionId) {
        if (!header.startsWith(sessionId, at)) {
            return false;
        }
        int after = at + sessionId.length();
        if (after == header.length()) {
            return true;
        }
        char next = header.charAt(after);
        return !(next == '-' || next == '_' || next >= '0' && next <= '9' || next >= 'a' && next <= 'z' || next >= 'A' && next <= 'Z');
    }

    static String clause(TlsFacts facts) {
        return "(version=" + facts.protocolName() + " cipher=" + facts.cipherSuiteName()
            + " bits=" + (facts.effectiveBits().isPresent() ? String.valueOf(facts.effectiveBits().getAsInt()) : "unknown")
            + " verify=" + facts.certificateStatus().outcome() + ")";
    }
}
