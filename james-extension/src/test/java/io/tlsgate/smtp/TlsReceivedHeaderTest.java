package io.tlsgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.PeerCertificate;
import io.tlsgate.policy.TlsFacts;

/** The Received header James wrote for a session, annotated with the session's TLS facts. */
class TlsReceivedHeaderTest {
    private static final String FOLD = "\r\n          ";
    private static final String SESSION = "abc123";
    private static final String DATE = "Mon, 2 Mar 2026 12:00:00 +0000 (UTC)";
    private static final String OLDER = "from mx.sender.example (mx.sender.example [198.51.100.7])" + FOLD + "by relay.sender.example"
        + " with ESMTPS id 4Zx9;" + FOLD + "Mon, 2 Mar 2026 11:59:58 +0000";
    private static final String OLDEST = "from [10.0.0.5] by mx.sender.example; Mon, 2 Mar 2026 11:59:57 +0000";
    private static final String BODY = "Hello,\r\n\r\nwith ESMTP ID abc123 in the body.\r\n";
    private static final PeerCertificate CLIENT = new PeerCertificate(DistinguishedName.parse("CN=mx.partner.example"),
        DistinguishedName.parse("CN=Partner CA"), List.of("mx.partner.example"), List.of(), "00", "00");
    private static final TlsFacts VERIFIED = TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.3", "TLS_AES_256_GCM_SHA384")
        .peerChain(List.of(CLIENT)).certificateStatus(CertificateStatus.ok("chain to CN=Partner CA")).build();
    private static final String CLAUSE = "(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK)";

    /** What James 3.8.1's ReceivedDataLineFilter writes, with the given protocol word and session id. */
    private static String james(String helo, String with, String session) {
        return "from client.example (" + helo + " client.example) ([192.0.2.1])" + FOLD + "by mx.example (JAMES SMTP Server) with " + with
            + " ID " + session + FOLD + "for <a@b.example>;" + FOLD + DATE;
    }

    static Stream<Arguments> annotated() {
        return Stream.of(
            Arguments.of("EHLO: ESMTP becomes ESMTPS", "EHLO", "ESMTP", "ESMTPS"),
            Arguments.of("EHLO and AUTH: ESMTPA becomes ESMTPSA", "EHLO", "ESMTPA", "ESMTPSA"),
            Arguments.of("HELO: SMTP stays SMTP", "HELO", "SMTP", "SMTP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void annotated(String name, String helo, String with, String becomes) throws Exception {
        MimeMessage message = message(james(helo, with, SESSION), OLDER, OLDEST);
        assertThat(TlsReceivedHeader.annotate(message, SESSION, VERIFIED)).isTrue();
        String expected = "from client.example (" + helo + " client.example) ([192.0.2.1])" + FOLD + "by mx.example (JAMES SMTP Server)"
            + " with " + becomes + " ID abc123" + FOLD + CLAUSE + FOLD + "for <a@b.example>;" + FOLD + DATE;
        assertThat(message.getHeader("Received")).containsExactly(expected, OLDER, OLDEST);
        assertThat(headerNames(message)).containsExactly("Received", "Received", "Received", "Subject", "Message-ID", "MIME-Version", "Content-Type");
        assertUntouched(message);
        assertThat(written(message)).startsWith("Received: " + expected + "\r\nReceived: " + OLDER + "\r\nReceived: " + OLDEST + "\r\nSubject: ");
    }

    @Test
    void aMessageWithOnlyJamessHeader() throws Exception {
        MimeMessage message = message(james("EHLO", "ESMTP", SESSION));
        assertThat(TlsReceivedHeader.annotate(message, SESSION, VERIFIED)).isTrue();
        assertThat(message.getHeader("Received")).hasSize(1);
        assertThat(message.getHeader("Received")[0]).contains(" with ESMTPS ID abc123" + FOLD + CLAUSE + FOLD + "for <a@b.example>;");
        assertUntouched(message);
    }

    static Stream<Arguments> leftAlone() {
        return Stream.of(
            Arguments.of("another session's header", new String[] {james("EHLO", "ESMTP", "def456"), OLDER}),
            Arguments.of("a session id that merely starts with ours", new String[] {james("EHLO", "ESMTP", SESSION + "4"), OLDER}),
            Arguments.of("a session id that merely ends with ours", new String[] {james("EHLO", "ESMTP", "x" + SESSION)}),
            Arguments.of("our id only in an older header", new String[] {OLDER, james("EHLO", "ESMTP", SESSION)}),
            Arguments.of("already annotated", new String[] {james("EHLO", "ESMTPS", SESSION + FOLD + CLAUSE)}),
            Arguments.of("an LMTP header", new String[] {james("LHLO", "LMTP", SESSION)}),
            Arguments.of("no Received header", new String[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void leftAlone(String name, String[] received) throws Exception {
        MimeMessage message = message(received);
        String before = written(message);
        assertThat(TlsReceivedHeader.annotate(message, SESSION, VERIFIED)).isFalse();
        assertThat(written(message)).isEqualTo(before);
        assertThat(message.getHeader("Received")).isEqualTo(received.length == 0 ? null : received);
    }

    /** The session id is text, not a pattern. */
    @Test
    void aSessionIdWithPatternCharacters() throws Exception {
        MimeMessage message = message(james("EHLO", "ESMTP", "a.b+c"));
        assertThat(TlsReceivedHeader.annotate(message, "aXb+c", VERIFIED)).isFalse();
        assertThat(TlsReceivedHeader.annotate(message, "a.b+c", VERIFIED)).isTrue();
        assertThat(message.getHeader("Received")[0]).contains(" with ESMTPS ID a.b+c" + FOLD + CLAUSE + FOLD);
    }

    @Test
    void annotatingTwiceChangesNothingMore() throws Exception {
        MimeMessage message = message(james("EHLO", "ESMTP", SESSION), OLDER);
        assertThat(TlsReceivedHeader.annotate(message, SESSION, VERIFIED)).isTrue();
        String once = written(message);
        assertThat(TlsReceivedHeader.annotate(message, SESSION, VERIFIED)).isFalse();
        assertThat(written(message)).isEqualTo(once);
    }

    static Stream<Arguments> clauses() {
        TlsFacts.Builder tls12 = TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        return Stream.of(
            Arguments.of("verified", VERIFIED, CLAUSE),
            Arguments.of("no certificate", tls12.build(), "(version=TLSv1.2 cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 bits=128 verify=NO)"),
            Arguments.of("refused certificate", TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                .peerChain(List.of(CLIENT)).certificateStatus(CertificateStatus.failed("expired")).build(),
                "(version=TLSv1.2 cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 bits=128 verify=FAIL)"),
            Arguments.of("unchecked certificate", TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256")
                .peerChain(List.of(CLIENT)).certificateStatus(CertificateStatus.temporaryFailure("OCSP down")).build(),
                "(version=TLSv1.3 cipher=TLS_CHACHA20_POLY1305_SHA256 bits=256 verify=TEMP)"),
            Arguments.of("a suite of unknown strength", TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.3", "TLS_SM4_GCM_SM3").build(),
                "(version=TLSv1.3 cipher=TLS_SM4_GCM_SM3 bits=unknown verify=NO)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void clauses(String name, TlsFacts facts, String clause) {
        assertThat(TlsReceivedHeader.clause(facts)).isEqualTo(clause);
    }

    private static MimeMessage message(String... received) throws MessagingException {
        StringBuilder raw = new StringBuilder();
        for (String header : received) {
            raw.append("Received: ").append(header).append("\r\n");
        }
        raw.append("Subject: with ESMTP ID abc123\r\n")
            .append("Message-ID: <1@b.example>\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n")
            .append("\r\n")
            .append(BODY);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    private static void assertUntouched(MimeMessage message) throws MessagingException, IOException {
        assertThat(message.getSubject()).isEqualTo("with ESMTP ID abc123");
        assertThat(message.getContent()).isEqualTo(BODY);
        assertThat(written(message)).endsWith("\r\n\r\n" + BODY);
    }

    private static List<String> headerNames(MimeMessage message) throws MessagingException {
        return Collections.list(message.getAllHeaders()).stream().map(javax.mail.Header::getName).collect(java.util.stream.Collectors.toList());
    }

    private static String written(MimeMessage message) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }
}
