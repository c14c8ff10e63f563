package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Connection reuse settings James must not start with: each stops it with a message that names the element. */
class ConnectionReuseSettingsIT {
    private static final String SAMPLE_POLICY = "<policy>file://conf/tlsgate-outbound.xml</policy>";
    private static final String REUSE = "<connectionReuse>true</connectionReuse>";

    static Stream<Arguments> badSettings() {
        return Stream.of(
            Arguments.of("reuse neither true nor false", "<connectionReuse>yes</connectionReuse>",
                "TLS Gate relay: <connectionReuse>yes</connectionReuse>: is neither true nor false"),
            Arguments.of("limit without reuse", "<connectionReuseLimit>5</connectionReuseLimit>",
                "TLS Gate relay: <connectionReuseLimit> is set but connection reuse is off: add <connectionReuse>true</connectionReuse>"
                    + " to reuse connections, or remove <connectionReuseLimit>"),
            Arguments.of("idle time with reuse off", "<connectionReuse>false</connectionReuse><connectionReuseIdleTime>2 s</connectionReuseIdleTime>",
                "TLS Gate relay: <connectionReuseIdleTime> is set but connection reuse is off"),
            Arguments.of("limit of one message", REUSE + "<connectionReuseLimit>1</connectionReuseLimit>",
                "TLS Gate relay: <connectionReuseLimit>1</connectionReuseLimit>: is out of range (2 to 1000 messages per connection)"),
            Arguments.of("limit not a number", REUSE + "<connectionReuseLimit>ten</connectionReuseLimit>",
                "TLS Gate relay: <connectionReuseLimit>ten</connectionReuseLimit>: is not a whole number"),
            Arguments.of("idle time unreadable", REUSE + "<connectionReuseIdleTime>2 secnods</connectionReuseIdleTime>",
                "TLS Gate relay: <connectionReuseIdleTime>2 secnods</connectionReuseIdleTime>: is not a duration such as '2 seconds'"),
            Arguments.of("idle time too long", REUSE + "<connectionReuseIdleTime>1 hour</connectionReuseIdleTime>",
                "TLS Gate relay: <connectionReuseIdleTime>1 hour</connectionReuseIdleTime>: is out of range (100 ms to 5 minutes)"),
            Arguments.of("misspelt name", "<connectionReuze>true</connectionReuze>",
                "TLS Gate relay: unknown setting(s) <connectionReuze>; the settings are <policy>, RemoteDelivery's"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void jamesRefusesToStart(String name, String settings, String expectedMessage) throws Exception {
        String mailetContainer = Files.readString(SampleServer.home().resolve("conf-samples/inbound-gate/mailetcontainer.xml"));
        assertThat(mailetContainer).contains(SAMPLE_POLICY);
        var setup = SampleServer.setup("ConnectionReuseSettingsIT")
            .confFile("mailetcontainer.xml", mailetContainer.replace(SAMPLE_POLICY, SAMPLE_POLICY + settings));
        Throwable failure = catchThrowable(() -> setup.start().close());
        assertThat(failure).as("James must not start with: " + name).isNotNull();
        assertThat(messages(failure)).contains(expectedMessage);
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
