package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.smtp.SmtpClient;

/**
 * TLS Gate's own listeners and the handler's {@code <verification>}: a configuration that cannot work stops James
 * at start-up with a message naming the file or element, and leaves nothing behind that blocks the next start.
 */
class BadListenerConfigurationIT {
    private static final String GOOD_HANDLER = "<default><level>encrypt</level></default>";

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            Arguments.of("startable listed, no listener file",
                null, "conf/tlsgate-listeners.xml defines no <smtpserver>"),
            Arguments.of("listener without TLS",
                TlsGateListener.xml("tlsgate-bad", GOOD_HANDLER, "file://conf/tls/ca.crt").replace("startTLS=\"true\"", "startTLS=\"false\""),
                "TLS Gate listener tlsgate-bad: <tls> sets neither startTLS=\"true\" nor socketTLS=\"true\""),
            Arguments.of("advertised CAs missing",
                TlsGateListener.xml("tlsgate-bad", GOOD_HANDLER, "file://conf/tls/no-such-ca.pem"),
                "no-such-ca.pem"),
            Arguments.of("trust anchors missing",
                TlsGateListener.xml("tlsgate-bad", "<verification><trustAnchors>file://conf/tls/missing.pem</trustAnchors></verification>"
                    + GOOD_HANDLER, "file://conf/tls/ca.crt"),
                "TLS Gate configuration error in <handler class=\"io.tlsgate.smtp.InboundTlsGate\"> <verification> <trustAnchors>:"
                    + " 'file://conf/tls/missing.pem'"),
            Arguments.of("trust store with a wrong password",
                TlsGateListener.xml("tlsgate-bad", "<verification><trustAnchors password=\"wrong\">file://conf/tls/client-ca.p12</trustAnchors>"
                    + "</verification>" + GOOD_HANDLER, "file://conf/tls/ca.crt"),
                "<verification> <trustAnchors password=\"***\">:"),
            Arguments.of("CRL file that is not a CRL",
                TlsGateListener.xml("tlsgate-bad", "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors>"
                    + "<crl>file://conf/tls/ca.crt</crl></verification>" + GOOD_HANDLER, "file://conf/tls/ca.crt"),
                "<verification> <crl>: "),
            Arguments.of("a listener reusing a stock listener's jmxName",
                TlsGateListener.xml("smtpserver-mx", GOOD_HANDLER, "file://conf/tls/ca.crt"),
                "<jmxName>smtpserver-mx</jmxName> is already used by another James listener; give this one its own"),
            Arguments.of("two listeners with one jmxName",
                TlsGateListener.xml("tlsgate-twice", GOOD_HANDLER, "file://conf/tls/ca.crt")
                    .replace("</smtpservers>", TlsGateListener.xml("tlsgate-twice", GOOD_HANDLER, "file://conf/tls/ca.crt")
                        .replaceAll("(?s).*<smtpservers>", "")),
                "two listeners are named tlsgate-twice; each needs its own <jmxName>"),
            Arguments.of("a listener without the gate",
                TlsGateListener.xml("tlsgate-open", GOOD_HANDLER, "file://conf/tls/ca.crt")
                    .replaceFirst("<handler class=\"io.tlsgate.smtp.InboundTlsGate\">.*?</handler>", ""),
                "TLS Gate listener tlsgate-open: its <handlerchain> has no <handler class=\"io.tlsgate.smtp.InboundTlsGate\">"),
            Arguments.of("a failing listener is named",
                TlsGateListener.xml("tlsgate-named", GOOD_HANDLER, "file://conf/tls/no-such-ca.pem"),
                "listener tlsgate-named: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void jamesRefusesToStart(String name, String listeners, String expected) {
        DemoServer.Setup setup = SampleServer.setup("BadListenerConfigurationIT")
            .confFile("extensions.properties", TlsGateListener.EXTENSIONS)
            .confFile("tlsgate-listeners.xml", listeners == null ? "<?xml version=\"1.0\"?>\n<smtpservers/>\n" : listeners);
        Throwable failure = catchThrowable(() -> setup.start().close());
        assertThat(failure).as("James must not start with: " + name).isNotNull();
        assertThat(messages(failure)).contains(expected);
    }

    @Test
    void theListenersStartAndStopWithJamesAfterFailedStartsInTheSameJvm() throws Exception {
        int port;
        try (DemoServer server = SampleServer.start("BadListenerConfigurationIT-good")) {
            assertThat(server.ports()).containsKeys("smtpserver-mx", "tlsgate-mx");
            port = server.port("tlsgate-mx");
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", port)) {
                assertThat(client.readReply().toString()).startsWith("220 ").contains("TLS Gate demo MX asking for certificates");
            }
        }
        assertThat(ItLog.read())
            .contains("TLS Gate listener tlsgate-mx asks for client certificates (STARTTLS), advertising 1 CA name(s)")
            .contains("TLS Gate started 1 listener(s) that ask for client certificates");
        assertThatThrownBy(() -> SmtpClient.connect("127.0.0.1", port).close())
            .as("the listener's port is closed once James has stopped").hasRootCauseInstanceOf(java.net.ConnectException.class);
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
