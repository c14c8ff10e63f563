package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad relay mailet configuration (its {@code <policy>} element, the policy file, or rules inline in the mailet
 * element) stops James at start-up, with a message that names the file or element and the problem: mail is never
 * relayed under a policy half read.
 */
class BadRelayConfigurationIT {
    private static final String SAMPLE_POLICY = "<policy>file://conf/tlsgate-outbound.xml</policy>";
    private static final String SAMPLE_DELAY_TIME = "<delayTime>10 minutes, 1 hour, 4 hours</delayTime>";
    private static final String GOOD_DEFAULT = "<verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "<default><level>verify</level></default>";

    private static final String RELAY_MAILET = "<mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">";

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
            Arguments.of("verify without trust anchors", SAMPLE_POLICY, "<outbound><default><level>verify</level></default></outbound>",
                "<outbound> <default>: level verify needs a <verification> element with the <trustAnchors>"),
            Arguments.of("typo in a level", SAMPLE_POLICY, "<outbound><default><level>verified</level></default></outbound>",
                "<default> <level>: 'verified' is not one of none, may, encrypt, fingerprint, verify, secure"),
            Arguments.of("inbound-only element", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level><afterRefusal>disconnect</afterRefusal></destination></outbound>",
                "<destination domain=\"a.example\"> <afterRefusal>: applies to inbound rules only"),
            Arguments.of("destination without a key", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination><level>verify</level></destination></outbound>",
                "needs exactly one of recipient=\"...\", domain=\"...\" or mx=\"...\""),
            // RemoteDelivery's own settings: James 3.8.1 would ignore a misspelt name and replace an unreadable value.
            Arguments.of("misspelt setting", SAMPLE_POLICY + "<maxRetrys>3</maxRetrys>", null,
                "TLS Gate relay: unknown setting(s) <maxRetrys>; the settings are <policy>, RemoteDelivery's"),
            Arguments.of("unreadable delayTime", SAMPLE_POLICY + "<delayTime>10 minuts</delayTime>", null,
                "TLS Gate relay: <delayTime>10 minuts</delayTime>: '10 minuts' is not a delay such as '5 minutes' or '3*1 hour'"),
            Arguments.of("setting written as an attribute", SAMPLE_POLICY + "<timeout value=\"1000\"/>", null,
                "TLS Gate relay: <timeout> has no value: write it as <timeout>value</timeout> (attributes are not read)"),
            Arguments.of("boolean that is neither", SAMPLE_POLICY + "<usePriority>yes</usePriority>", null,
                "TLS Gate relay: <usePriority>yes</usePriority>: is neither true nor false"),
            Arguments.of("gateway port out of range", SAMPLE_POLICY + "<gateway>gw.example</gateway><gatewayPort>70000</gatewayPort>", null,
                "TLS Gate relay: <gatewayPort>70000</gatewayPort>: is out of range (1 to 65535)"),
            Arguments.of("two relay mailets on one queue",
                SAMPLE_POLICY + "</mailet><mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\">" + SAMPLE_POLICY, null,
                "TLS Gate relay: queue outgoing-tlsgate is already used by another TlsRemoteDelivery mailet;"
                    + " give each relay mailet its own <outgoing> queue"),
            Arguments.of("client certificate file missing", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level>"
                    + "<clientCertificate password=\"x\">file://conf/tls/no-such.p12</clientCertificate></destination></outbound>",
                "<destination domain=\"a.example\"> <clientCertificate password=\"***\">: ... no-such.p12 does not exist or is not a file"),
            Arguments.of("client certificate, wrong password", SAMPLE_POLICY,
                "<outbound>" + GOOD_DEFAULT + "<destination domain=\"a.example\"><level>verify</level>"
                    + "<clientCertificate password=\"wrong\">file://conf/tls/relay-client.p12</clientCertificate></destination></outbound>",
                "<clientCertificate password=\"***\">: ... relay-client.p12: cannot read it as pkcs12 (keystore password was incorrect)"),
            // Rules inline in the mailet element: errors name the element of mailetcontainer.xml.
            Arguments.of("inline: typo in a level", GOOD_DEFAULT.replace("verify", "verified"), null,
                "TLS Gate relay: TLS Gate configuration error in mailetcontainer.xml <processor state=\"relay\"> " + RELAY_MAILET
                    + " <default> <level>: 'verified' is not one of none, may, encrypt, fingerprint, verify, secure"),
            Arguments.of("inline: the second destination's level", GOOD_DEFAULT
                    + "<destination domain=\"a.example\"><level>may</level></destination>"
                    + "<destination domain=\"b.example\"><level>verfy</level></destination>", null,
                RELAY_MAILET + " <destination domain=\"b.example\"> <level>: 'verfy' is not one of"),
            Arguments.of("inline and <policy>", SAMPLE_POLICY + GOOD_DEFAULT, null,
                "TLS Gate relay: <policy> and inline rules (<verification>, <default>) at once: the rules are either inline in the"
                    + " mailet element or in the <policy> file, not both"),
            Arguments.of("inline without a default rule", "<destination domain=\"a.example\"><level>may</level></destination>", null,
                RELAY_MAILET + ": no <default> rule: write what destinations without a rule of their own must meet"),
            Arguments.of("inline with reloadInterval", GOOD_DEFAULT + "<reloadInterval>1 s</reloadInterval>", null,
                "TLS Gate relay: <reloadInterval> applies to a <policy> file only: rules written inline in the mailet are read once"),
            Arguments.of("inline: misspelt rule element", "<defualt><level>may</level></defualt>", null,
                "TLS Gate relay: unknown setting(s) <defualt>; the settings are <policy>, RemoteDelivery's"),
            Arguments.of("inline: verify without trust anchors", "<default><level>verify</level></default>", null,
                RELAY_MAILET + " <default>: level verify needs a <verification> element with the <trustAnchors>"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void jamesRefusesToStart(String name, String policyElement, String policyFile, String expectedMessage) throws Exception {
        String mailetContainer = Files.readString(SampleServer.home().resolve("conf-samples/inbound-gate/mailetcontainer.xml"));
        assertThat(mailetContainer).contains(SAMPLE_POLICY);
        if (policyElement.contains("<delayTime>")) {
            // One delayTime per mailet: the case's own replaces the sample's.
            assertThat(mailetContainer).contains(SAMPLE_DELAY_TIME);
            mailetContainer = mailetContainer.replace(SAMPLE_DELAY_TIME, "");
        }
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
