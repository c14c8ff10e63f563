package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.demo.DemoServer;

/**
 * A bad {@code <handler>} element stops James at start-up, with a message that names the element and the bad
 * value. Each case boots a real James whose only listener carries the bad element.
 */
class BadConfigurationIT {
    private static final String GATE = "TLS Gate configuration error in <handler class=\"io.tlsgate.smtp.InboundTlsGate\">";

    static Stream<Arguments> badHandlers() {
        return Stream.of(
            Arguments.of("unknown element",
                "<default><level>encrypt</level><minBits>128</minBits></default>",
                GATE + " <default> <minBits>: unknown element; did you mean <minEcBits>, <minRsaBits> or <minCipherBits>?"),
            Arguments.of("bad number",
                "<default><minCipherBits>abc</minCipherBits></default>",
                GATE + " <default> <minCipherBits>: 'abc' is not a whole number of bits between 0 and 256"),
            Arguments.of("bits out of range",
                "<default><minCipherBits>512</minCipherBits></default>",
                GATE + " <default> <minCipherBits>: 512 is out of range: cipher bits go from 0 to 256"),
            Arguments.of("unknown protocol name",
                "<default><minProtocol>TLSv1.4</minProtocol></default>",
                GATE + " <default> <minProtocol>: 'TLSv1.4' is not a TLS protocol name; use one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"),
            Arguments.of("typo in a level",
                "<default><level>encrypted</level></default>",
                GATE + " <default> <level>: 'encrypted' is not one of none, encrypt, fingerprint, verify"),
            Arguments.of("no default rule",
                "<client peer=\"192.0.2.1\"><level>encrypt</level></client>",
                GATE + ": no <default> rule"),
            Arguments.of("bad address block",
                "<default><level>none</level></default><client peer=\"10.1.2.3/8\"><level>encrypt</level></client>",
                GATE + " <client peer=\"10.1.2.3/8\">: peer '10.1.2.3/8': bits beyond the /8 prefix are set; did you mean 10.0.0.0/8?"),
            Arguments.of("contradictory rule",
                "<default><level>none</level><minCipherBits>128</minCipherBits></default>",
                GATE + " <default>: level none contradicts the cipher or protocol floor"),
            Arguments.of("rules both inline and in a policy file",
                "<policy>file://conf/tlsgate-policy.xml</policy><default><level>none</level></default>",
                GATE + " <default>: cannot stand next to <policy>: the rules are either inline in the handler or in the <policy> file"),
            Arguments.of("a policy file without inbound rules",
                "<policy>file://conf/tlsgate-outbound.xml</policy>",
                "tlsgate-outbound.xml: is not an inbound policy: its root element is <outbound>, expected <inbound> or <tlsgate>"),
            Arguments.of("a policy file that does not exist",
                "<policy>file://conf/no-such-policy.xml</policy>",
                "no-such-policy.xml: does not exist"),
            Arguments.of("reloadInterval with inline rules",
                "<default><level>none</level></default><reloadInterval>5 seconds</reloadInterval>",
                GATE + " <reloadInterval>: applies to a <policy> file only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHandlers")
    void jamesRefusesToStart(String name, String handlerBody, String expectedMessage) {
        Throwable failure = catchThrowable(() -> SampleServer.setup("BadConfigurationIT")
            .smtpServerXml(GateListener.xml("smtpserver-bad", handlerBody))
            .start()
            .close());
        assertThat(failure).as("James must not start with: " + name).isNotNull();
        assertThat(messages(failure)).contains(expectedMessage);
    }

    @Test
    void aBadAccessFileStopsJamesWithTheFileTheLineAndTheProblem() {
        Throwable failure = catchThrowable(() -> SampleServer.setup("BadConfigurationIT-access")
            .smtpServerXml(GateListener.xml("smtpserver-bad", "<accessFile>file://conf/access</accessFile>"))
            .confFile("access", "# partners\nTLS_Clt:\tENCR:128\nConnect:spam.example REJECT\nTLS_Clt:partner.example\tVERIFY:999\n")
            .start()
            .close());
        assertThat(failure).as("James must not start with a bad access file").isNotNull();
        assertThat(messages(failure)).contains(GATE + " <accessFile> file://conf/access line 4 (TLS_Clt:partner.example):"
            + " 'VERIFY:999': 999 bits can never be met");
    }

    @Test
    void aGoodConfigurationStartsAfterBadOnesInTheSameJvm() throws Exception {
        // A failed start must leave nothing behind (ports, JMX beans) that blocks the next one.
        try (DemoServer server = SampleServer.start("BadConfigurationIT-good")) {
            assertThat(server.ports()).containsOnlyKeys("smtpserver-mx", "smtpserver-submission", "smtpserver-partners", "tlsgate-mx");
        }
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
