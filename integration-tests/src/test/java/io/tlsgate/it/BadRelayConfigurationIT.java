package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad relay mailet configuration (its {@code <policy>} element or the policy file) stops James at start-up, with a
 * message that names the file or element and the problem: mail is never relayed under a policy half read.
 */
class BadRelayConfigurationIT {
    private static final String SAMPLE_POLICY = "<policy>file://conf/tlsgate-outbound.xml</policy>";
    private static final String GOOD_DEFAULT = "<default><level>verify</level></default>";

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            Arguments.of("no <policy>", "", null,
                "TLS Gate relay: <policy> is missing: name the file with the outbound TLS rules"),
            Arguments.of("policy file missing", "<policy>file://conf/no-such-policy.xml</policy>", null,
                "TLS Gate relay: <policy>file://conf/no-such-policy.xml: ... no-such-policy.xml does not exist or is not a file"),
            Arguments.of("not XML", SAMPLE_POLICY, "<outbound><default>",
                "tlsgate-outbound.xml: is not well-formed XML: line 3, column 1: "),
            Arguments.of("another file's root", SAMPLE_POLICY, "<smtpservers>" + GOOD_DEFAULT + "</smtpservers>",
                "is not an outbound policy: its root element is <smtpservers>, expected <outbound>"),
            Arguments.of("no default rule", SAMPLE_POLICY, "<outbound><destination domain=\"a.example\"><level>verify</level></destination></outbound>",
                "no <default> rule: write what destinations without a rule of their own must meet"),
            Arguments.of("typo in a level", SAMPLE_POLICY, "<outbound><default><level>verified</level></default></outbound>",
                "<default> <level>: 'verified' is not one of none, may, encrypt, fingerprint, verify, secure"),
            Arguments.of("inbound-only element", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level><afterRefusal>disconnect</afterRefusal></destination></outbound>",
                "<destination domain=\"a.example\"> <afterRefusal>: applies to inbound rules only"),
            Arguments.of("destination without a key", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination><level>verify</level></destination></outbound>",
                "needs exactly one of recipient=\"...\", domain=\"...\" or mx=\"...\""),
            Arguments.of("client certificate file missing", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level>"
                    + "<clientCertificate password=\"x\">file://conf/tls/no-such.p12</clientCertificate></destination></outbound>",
                "<destination domain=\"a.example\"> <clientCertificate password=\"***\">: ... no-such.p12 does not exist or is not a file"),
            Arguments.of("client certificate, wrong password", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level>"
                    + "<clientCertificate password=\"wrong\">file://conf/tls/relay-client.p12</clientCertificate></destination></outbound>",
                "<clientCertificate password=\"***\">: ... relay-client.p12: cannot read it as pkcs12 (keystore password was incorrect)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void jamesRefusesToStart(String name, String policyElement, String policyFile, String expectedMessage) throws Exception {
        String mailetContainer = Files.readString(SampleServer.home().resolve("conf-samples/inbound-gate/mailetcontainer.xml"));
        assertThat(mailetContainer).contains(SAMPLE_POLICY);
        var setup = SampleServer.setup("BadRelayConfigurationIT")
            .confFile("mailetcontainer.xml", mailetContainer.replace(SAMPLE_POLICY, policyElement));
        if (policyFile != null) {
            setup.confFile("tlsgate-outbound.xml", "<?xml version=\"1.0\"?>\n" + policyFile + "\n");
        }
        Throwable failure = catchThrowable(() -> setup.start().close());
        assertThat(failure).as("James must not start with: " + name).isNotNull();
        // " ... " separates parts that must all appear, in this order.
        assertThat(messages(failure)).containsSubsequence(expectedMessage.split(" \\.\\.\\. "));
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
