package io.tlsgate.config;

import static io.tlsgate.config.HandlerXml.HANDLER;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.writeKeyStore;
import static io.tlsgate.pki.TestCertificates.writeTrustStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.apache.commons.configuration2.BaseConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates;
import io.tlsgate.pki.TestCertificates.Authority;

/** Outbound policy files the reader refuses: each error names the element (its location) and what is wrong with it. */
class OutboundPolicyReaderErrorsTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final Authority CA = Authority.root("CN=Relay CA,O=Us", TestCertificates.ecKey("secp256r1"));
    private static final String ROOT = "<outbound>";
    private static final String DEFAULT = "<default><level>may</level></default>";
    private static final String VERIFY = "<level>verify</level>";
    private static final String PIN = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String OUTBOUND_ELEMENTS = "level, minCipherBits, minProtocol, failure, missingTls, subjectCn, subjectDn,"
        + " issuerDn, dnsName, pin, minRsaBits, minEcBits, revocation, clientCertificate";
    private static final String ROOT_ELEMENTS = "verification, default, destination, accessFile, replyCodes";
    private static final String ONE_KEY = "needs exactly one of recipient=\"...\", domain=\"...\" or mx=\"...\"";
    private static final String ONE_RULE_PER_KEY = "; each key may appear in one rule only";
    private static final String NOT_A_NAME = " is not a host name, domain, address or address block";
    private static final String LEVELS = "none, may, encrypt, fingerprint, verify, secure";

    /** Written once: key stores are slow to make. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeFiles() throws IOException {
        writeKeyStore(dir.resolve("relay.p12"), "PKCS12", "secret", CA, "CN=relay.tlsgate.test,O=Us");
        writeKeyStore(dir.resolve("relay.jks"), "JKS", "secret", CA, "CN=relay.tlsgate.test,O=Us");
        writeKeyStore(dir.resolve("two.p12"), "PKCS12", "secret", CA, "CN=relay.tlsgate.test,O=Us", "CN=old-relay.tlsgate.test,O=Us");
        writeTrustStore(dir.resolve("anchors.p12"), "PKCS12", "secret", CA.certificate);
        writeKeyStore(dir.resolve("relay.pem"), "PKCS12", "secret", CA, "CN=relay.tlsgate.test,O=Us");
        Files.writeString(dir.resolve("broken.p12"), "not a key store");
        Files.createDirectory(dir.resolve("tls"));
    }

    static Stream<Arguments> badPolicies() {
        return Stream.of(
            // the outbound element
            bad("no default", "<destination domain='a.example'>" + VERIFY + "</destination>", "",
                "no <default> rule: write what destinations without a rule of their own must meet"
                    + " (<default><level>may</level></default> is opportunistic TLS)"),
            bad("nothing at all", "", "", "no <default> rule: write what destinations without a rule of their own must meet"
                + " (<default><level>may</level></default> is opportunistic TLS)"),
            bad("two defaults", DEFAULT + "<default>" + VERIFY + "</default>", " <default>", "is given twice; keep one"),
            bad("two verifications", DEFAULT + "<verification><jvmTrustStore>true</jvmTrustStore></verification>"
                + "<verification><jvmTrustStore>true</jvmTrustStore></verification>", " <verification>", "is given twice; keep one"),
            bad("a misspelt destination", DEFAULT + "<destinaton domain='a.example'>" + VERIFY + "</destinaton>", " <destinaton domain=\"a.example\">",
                "unknown element; did you mean <destination>? (allowed here: " + ROOT_ELEMENTS + ")"),
            bad("an inbound client rule", DEFAULT + "<client peer='a.example'>" + VERIFY + "</client>", " <client peer=\"a.example\">",
                "unknown element (allowed here: " + ROOT_ELEMENTS + ")"),
            bad("an inbound relay grant", DEFAULT + "<relay><certificate><subjectCn>a</subjectCn></certificate></relay>", " <relay>",
                "unknown element (allowed here: " + ROOT_ELEMENTS + ")"),
            bad("a rule written straight into outbound", DEFAULT + VERIFY, " <level>", "unknown element (allowed here: " + ROOT_ELEMENTS + ")"),
            bad("text in outbound", "level=verify" + DEFAULT, "",
                "holds the text 'level=verify'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>"),
            bad("an attribute on default", "<default domain='a.example'>" + VERIFY + "</default>", " <default domain=\"a.example\">",
                "unknown attribute domain=\"a.example\" (this element takes none)"),
            bad("an empty default", "<default/>", " <default>",
                "the rule sets no level and nothing that implies one (say <level>none</level> to exempt a peer)"),

            // destination keys
            bad("a destination without a key", DEFAULT + "<destination>" + VERIFY + "</destination>", " <destination>", ONE_KEY),
            bad("a destination with another attribute", DEFAULT + "<destination host='a.example'>" + VERIFY + "</destination>",
                " <destination host=\"a.example\">", "unknown attribute host=\"a.example\" (allowed: domain, mx, recipient)"),
            bad("a destination with an inbound peer key", DEFAULT + "<destination peer='a.example'>" + VERIFY + "</destination>",
                " <destination peer=\"a.example\">", "unknown attribute peer=\"a.example\" (allowed: domain, mx, recipient)"),
            bad("an empty domain", DEFAULT + "<destination domain=''>" + VERIFY + "</destination>", " <destination domain=\"\">",
                "domain=\"\" names nothing"),
            bad("a blank mx", DEFAULT + "<destination mx='  '>" + VERIFY + "</destination>", " <destination mx=\"  \">", "mx=\"\" names nothing"),
            bad("an empty recipient", DEFAULT + "<destination recipient=''>" + VERIFY + "</destination>", " <destination recipient=\"\">",
                "recipient=\"\" names nothing"),
            badKey("domain", "a.example mx?.example", "domain 'mx?.example'" + NOT_A_NAME),
            badKey("domain", "partner..example", "domain 'partner..example'" + NOT_A_NAME),
            badKey("domain", "*.partner.example", "domain '*.partner.example': write the domain itself (partner.example);"
                + " a domain entry already covers all its subdomains"),
            badKey("domain", ".partner.example", "domain '.partner.example': write the domain itself (partner.example);"
                + " a domain entry already covers all its subdomains"),
            badKey("domain", "192.0.2.1", "domain '192.0.2.1' is an address; MX addresses go in mx=\"...\""),
            badKey("domain", "192.0.2.0/24", "domain '192.0.2.0/24' is an address; MX addresses go in mx=\"...\""),
            badKey("domain", "2001:db8::25", "domain '2001:db8::25' is an address; MX addresses go in mx=\"...\""),
            badKey("domain", "ceo@partner.example", "domain 'ceo@partner.example'" + NOT_A_NAME),
            badKey("mx", "192.0.2.1/24", "mx '192.0.2.1/24': bits beyond the /24 prefix are set; did you mean 192.0.2.0/24?"),
            badKey("mx", "2001:db8::1/32", "mx '2001:db8::1/32': bits beyond the /32 prefix are set; did you mean 2001:db8::/32?"),
            badKey("mx", "192.0.2.0/33", "mx '192.0.2.0/33': prefix length must be between 0 and 32, not 33"),
            badKey("mx", "2001:db8::/129", "mx '2001:db8::/129': prefix length must be between 0 and 128, not 129"),
            badKey("mx", "192.0.2.0/x", "mx '192.0.2.0/x': 'x' is not a prefix length"),
            badKey("mx", "mx.example/24", "mx 'mx.example/24': 'mx.example' is not an IP address"),
            badKey("mx", "192.0.2.256", "mx '192.0.2.256': 256 is not an address byte (0..255)"),
            badKey("mx", "010.1", "mx '010.1': '010' has a leading zero, which some tools read as octal; write the byte in plain decimal"),
            badKey("mx", "[192.0.2.1]", "mx '[192.0.2.1]': write addresses without brackets"),
            badKey("mx", "mx.a.example, mx_?.a.example", "mx 'mx_?.a.example'" + NOT_A_NAME),
            badKey("recipient", "ceo", "recipient 'ceo' is not a mail address (user@domain)"),
            badKey("recipient", "@partner.example", "recipient '@partner.example' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@", "recipient 'ceo@' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@@partner.example", "recipient 'ceo@@partner.example' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@partner.example@relay.example", "recipient 'ceo@partner.example@relay.example' is not a mail address (user@domain)"),
            bad("recipient='<ceo@partner.example>'", DEFAULT + destination("recipient", "&lt;ceo@partner.example&gt;", VERIFY),
                " <destination recipient=\"<ceo@partner.example>\">", "recipient '<ceo@partner.example>' is not a mail address (user@domain)"),
            badKey("recipient", "\"ceo\"@partner.example", "recipient '\"ceo\"@partner.example' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@partner..example", "recipient 'ceo@partner..example' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@partner.example/24", "recipient 'ceo@partner.example/24' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@192.0.2.1", "recipient 'ceo@192.0.2.1' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@[192.0.2.1]", "recipient 'ceo@[192.0.2.1]' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@*.partner.example", "recipient 'ceo@*.partner.example' is not a mail address (user@domain)"),
            badKey("recipient", "ceo@partner.example partner.example", "recipient 'partner.example' is not a mail address (user@domain)"),

            // a key given twice
            bad("a recipient in two rules", DEFAULT + destination("recipient", "ceo@partner.example", VERIFY)
                    + destination("recipient", "CEO@Partner.Example.", VERIFY), " <destination recipient=\"CEO@Partner.Example.\">",
                "recipient 'CEO@Partner.Example.': recipient ceo@partner.example has two rules" + ONE_RULE_PER_KEY),
            bad("a recipient twice in one rule", DEFAULT + destination("recipient", "ceo@partner.example ceo@partner.example", VERIFY),
                " <destination recipient=\"ceo@partner.example ceo@partner.example\">",
                "recipient 'ceo@partner.example': recipient ceo@partner.example has two rules" + ONE_RULE_PER_KEY),
            bad("a domain in two rules", DEFAULT + destination("domain", "partner.example", VERIFY) + destination("domain", "Partner.Example.", VERIFY),
                " <destination domain=\"Partner.Example.\">", "domain 'Partner.Example.': host partner.example has two rules" + ONE_RULE_PER_KEY),
            bad("an MX name in two rules", DEFAULT + destination("mx", "mx.partner.example", VERIFY) + destination("mx", "MX.partner.example", VERIFY),
                " <destination mx=\"MX.partner.example\">", "mx 'MX.partner.example': host mx.partner.example has two rules" + ONE_RULE_PER_KEY),
            bad("an MX block in two spellings", DEFAULT + destination("mx", "10.1", VERIFY) + destination("mx", "10.1.0.0/16", VERIFY),
                " <destination mx=\"10.1.0.0/16\">",
                "mx '10.1.0.0/16': address block 10.1.0.0/16 has two rules (also written 10.1)" + ONE_RULE_PER_KEY),

            // rule contents
            badRule("an unknown level", "<level>opportunistic</level>", " <level>", "'opportunistic' is not one of " + LEVELS),
            badRule("DANE, which is not a level here", "<level>dane</level>", " <level>", "'dane' is not one of " + LEVELS),
            badRule("an empty level", "<level/>", " <level>", "is empty"),
            badRule("a level given twice", VERIFY + "<level>secure</level>", " <level>", "is given twice in the same rule; keep one"),
            badRule("afterRefusal, an inbound setting", VERIFY + "<afterRefusal>disconnect</afterRefusal>", " <afterRefusal>",
                "applies to inbound rules only: outbound, a refused server always gets QUIT before MAIL FROM; remove it"),
            badRule("acceptServerAuthOnly, an inbound setting", VERIFY + "<acceptServerAuthOnly>true</acceptServerAuthOnly>",
                " <acceptServerAuthOnly>", "applies to inbound rules only (client certificates): a server certificate must allow serverAuth;"
                    + " remove it"),
            badRule("an unknown element, with a hint", "<levle>verify</levle>", " <levle>",
                "unknown element; did you mean <level>? (allowed here: " + OUTBOUND_ELEMENTS + ")"),
            badRule("an unknown element", VERIFY + "<requireTls>yes</requireTls>", " <requireTls>",
                "unknown element (allowed here: " + OUTBOUND_ELEMENTS + ")"),
            badRule("a bad failure", VERIFY + "<failure>bounce</failure>", " <failure>", "'bounce' is not one of temporary, permanent"),
            badRule("a bad missingTls", VERIFY + "<missingTls>defer</missingTls>", " <missingTls>", "'defer' is not one of temporary, permanent"),
            badRule("a bad minProtocol", VERIFY + "<minProtocol>TLS1.2</minProtocol>", " <minProtocol>",
                "'TLS1.2' is not a TLS protocol name; use one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"),
            badRule("minCipherBits above 256", VERIFY + "<minCipherBits>512</minCipherBits>", " <minCipherBits>",
                "512 is out of range: cipher bits go from 0 to 256 (AES-256 and ChaCha20 give 256)"),
            badRule("level may with a cipher floor", "<level>may</level><minCipherBits>128</minCipherBits>", "",
                "level may contradicts the cipher or protocol floor, which needs TLS (level encrypt, fingerprint or verify; outbound also secure)"),
            badRule("level none with a protocol floor", "<level>none</level><minProtocol>TLSv1.2</minProtocol>", "",
                "level none contradicts the cipher or protocol floor, which needs TLS (level encrypt, fingerprint or verify; outbound also secure)"),
            badRule("level may with a pin", "<level>may</level><pin of='spki'>" + PIN + "</pin>", "",
                "level may contradicts the certificate checks (pins, key usage, key sizes, revocation), which need level fingerprint or verify (outbound also secure)"),
            badRule("level encrypt with an identity", "<level>encrypt</level><dnsName>mx.a.example</dnsName>", "",
                "level encrypt contradicts the certificate identity constraints, which need level fingerprint or verify (outbound also secure)"),
            badRule("level fingerprint without a pin", "<level>fingerprint</level>", "",
                "level fingerprint needs at least one <pin> to compare the certificate with"),
            badRule("revocation at level fingerprint", "<level>fingerprint</level><pin of='spki'>" + PIN + "</pin><revocation>off</revocation>",
                " <revocation>", "revocation is not checked at level fingerprint (the pins decide); remove it, or use level verify"),
            badRule("a rule with nothing in it", "", "", "the rule sets no level and nothing that implies one (say <level>none</level> to exempt a peer)"),
            bad("afterRefusal in the default", "<default>" + VERIFY + "<afterRefusal>refuse</afterRefusal></default>", " <default> <afterRefusal>",
                "applies to inbound rules only: outbound, a refused server always gets QUIT before MAIL FROM; remove it"),

            // a certificate of our own
            badRule("a client certificate at level none", "<level>none</level><clientCertificate password='secret'>file://relay.p12</clientCertificate>",
                " <clientCertificate password=\"***\">", "a client certificate needs TLS; this rule's level is none"),
            badRule("a client certificate without a password", VERIFY + "<clientCertificate>file://relay.p12</clientCertificate>",
                " <clientCertificate>", "needs password=\"...\" (the key store's)"),
            badRule("a client certificate with another attribute", VERIFY + "<clientCertificate alias='relay' password='secret'>file://relay.p12</clientCertificate>",
                " <clientCertificate alias=\"relay\" password=\"***\">", "unknown attribute alias=\"relay\" (allowed: password, type)"),
            badRule("a client certificate naming no file", VERIFY + "<clientCertificate password='secret'/>", " <clientCertificate password=\"***\">",
                "is empty"),
            badRule("two client certificates", VERIFY + "<clientCertificate password='secret'>file://relay.p12</clientCertificate>"
                    + "<clientCertificate password='secret'>file://relay.jks</clientCertificate>", " <clientCertificate password=\"***\">",
                "is given twice in the same rule; keep one"),
            badRule("a client certificate the resolver cannot find", VERIFY + "<clientCertificate password='secret'>classpath://relay.p12</clientCertificate>",
                " <clientCertificate password=\"***\">", "'classpath://relay.p12' cannot be found (no classpath here)"),
            badRule("a client certificate in a PEM file", VERIFY + "<clientCertificate type='pem' password='secret'>file://relay.pem</clientCertificate>",
                " <clientCertificate type=\"pem\" password=\"***\">", "type=\"pem\" is not a key store type; say type=\"pkcs12\" or \"jks\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void badPolicies(String name, String elements, String location, String problem) {
        PolicyConfigurationException error = read(elements);
        assertThat(error).as("no error for %s", elements).isNotNull();
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem, Throwable::getMessage)
            .containsExactly(location, problem, "TLS Gate configuration error in " + location + ": " + problem);
    }

    /** Key store problems name the file, which only exists in this test's directory. */
    static Stream<Arguments> badKeyStores() {
        return Stream.of(
            Arguments.of("a file that does not exist", "", "missing.p12", "%s does not exist or is not a file"),
            Arguments.of("a directory", "", "tls", "%s: cannot tell the key store type from its name; say type=\"pkcs12\" or \"jks\""),
            Arguments.of("a directory, typed", "type='pkcs12'", "tls", "%s does not exist or is not a file"),
            Arguments.of("a name that says no type", "", "relay.pem", "%s: cannot tell the key store type from its name; say type=\"pkcs12\" or \"jks\""),
            Arguments.of("a PKCS12 file, wrong password", "", "relay.p12", "%s: cannot read it as pkcs12 (keystore password was incorrect)"),
            Arguments.of("a JKS file, wrong password", "", "relay.jks", "%s: cannot read it as jks (Keystore was tampered with, or password was incorrect)"),
            Arguments.of("not a key store", "", "broken.p12", "%s: cannot read it as pkcs12 (not a pkcs12 key store)"),
            Arguments.of("a trust store, no key", "", "anchors.p12", "%s holds no private key"),
            Arguments.of("two keys", "", "two.p12", "%s holds more than one private key; keep the one to present"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void badKeyStores(String name, String attributes, String file, String problem) {
        String password = name.contains("wrong password") ? "changeit" : "secret";
        String element = "<clientCertificate " + attributes + " password='" + password + "'>file://" + file + "</clientCertificate>";
        PolicyConfigurationException error = read(DEFAULT + destination("domain", "a.example", VERIFY + element));
        String tag = " <clientCertificate" + (attributes.isEmpty() ? "" : " type=\"pkcs12\"") + " password=\"***\">";
        assertThat(error).as("no error for %s", element).isNotNull();
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem)
            .containsExactly(ROOT + " <destination domain=\"a.example\">" + tag, String.format(problem, dir.resolve(file)));
    }

    @Test
    void aPasswordIsNeverShown() {
        PolicyConfigurationException error = read(DEFAULT + destination("domain", "a.example",
            VERIFY + "<clientCertificate password='s3cr3t-Pa55'>file://relay.p12</clientCertificate>"));
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("password=\"***\"").doesNotContain("s3cr3t-Pa55");
    }

    @Test
    void severalKeyAttributesAreRefused() {
        PolicyConfigurationException error = read(DEFAULT + "<destination domain='a.example' mx='mx.a.example'>" + VERIFY + "</destination>");
        assertThat(error).isNotNull();
        assertThat(error.problem()).isEqualTo(ONE_KEY);
        assertThat(error.location()).isEqualTo(ROOT + " <destination domain=\"a.example\" mx=\"mx.a.example\">");
    }

    @Test
    void anAttributeOnOutboundIsRefused() {
        PolicyConfigurationException error = catchThrowableOfType(() -> OutboundPolicyReader.read(
            HandlerXml.parse("<outbound strict='true'>" + DEFAULT + "</outbound>"), this::resolve, CLOCK), PolicyConfigurationException.class);
        assertThat(error).hasMessage("TLS Gate configuration error in <outbound strict=\"true\">: unknown attribute strict=\"true\" (this element takes none)");
    }

    @Test
    void aConfigurationWithoutXmlStructureIsRefused() {
        PolicyConfigurationException error = catchThrowableOfType(() -> OutboundPolicyReader.read(new BaseConfiguration(), this::resolve, CLOCK),
            PolicyConfigurationException.class);
        assertThat(error).hasMessage("TLS Gate configuration error in <handler>: James passed a configuration without XML structure"
            + " (org.apache.commons.configuration2.BaseConfiguration)");
    }

    /** The outbound levels may and secure, and the outbound clientCertificate, mean nothing to the inbound gate. */
    static Stream<Arguments> outboundOnlyInbound() {
        String inboundLevels = "none, encrypt, fingerprint, verify";
        return Stream.of(
            Arguments.of("may in the default", "<default><level>may</level></default>", " <default> <level>", "'may' is not one of " + inboundLevels),
            Arguments.of("secure in the default", "<default><level>secure</level></default>", " <default> <level>",
                "'secure' is not one of " + inboundLevels),
            Arguments.of("secure in a client rule", "<default><level>none</level></default><client peer='a.example'><level>SECURE</level></client>",
                " <client peer=\"a.example\"> <level>", "'SECURE' is not one of " + inboundLevels),
            Arguments.of("a client certificate", "<default>" + VERIFY + "<clientCertificate password='x'>file://a.p12</clientCertificate></default>",
                " <default> <clientCertificate password=\"***\">", "unknown element (allowed here: level, minCipherBits, minProtocol, failure,"
                    + " missingTls, afterRefusal, subjectCn, subjectDn, issuerDn, dnsName, pin, acceptServerAuthOnly, minRsaBits, minEcBits,"
                    + " revocation)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void outboundOnlyInbound(String name, String rules, String where, String problem) {
        PolicyConfigurationException error = catchThrowableOfType(() -> HandlerXml.read(rules), PolicyConfigurationException.class);
        assertThat(error).as("no error for %s", rules).isNotNull();
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem)
            .containsExactly(HANDLER + where, problem);
    }

    /** Reads a policy with these elements; without a {@code <verification>} of their own they get the JVM's trust store. */
    private PolicyConfigurationException read(String elements) {
        String anchors = elements.contains("<verification>") ? "" : "<verification><jvmTrustStore>true</jvmTrustStore></verification>";
        return readExactly(anchors + elements);
    }

    private PolicyConfigurationException readExactly(String elements) {
        return catchThrowableOfType(() -> OutboundPolicyReader.read(HandlerXml.parse(ROOT + elements + "</outbound>"), this::resolve, CLOCK),
            PolicyConfigurationException.class);
    }

    /** Levels verify and secure trust chains to anchors: without any, every delivery under the rule would be deferred. */
    static Stream<Arguments> levelsThatNeedTrustAnchors() {
        return Stream.of(
            Arguments.of("verify", "<default>" + VERIFY + "</default>", "<outbound> <default>"),
            Arguments.of("secure", DEFAULT + "<destination domain='a.example'><level>secure</level></destination>",
                "<outbound> <destination domain=\"a.example\">"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void levelsThatNeedTrustAnchors(String level, String elements, String location) {
        PolicyConfigurationException error = readExactly(elements);
        assertThat(error).as("no error for %s", elements).isNotNull();
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem)
            .containsExactly(location, "level " + level + " needs a <verification> element with the <trustAnchors> that server"
                + " certificates must chain to (level fingerprint checks pins only)");
        assertThat(read(elements)).as("the same with trust anchors").isNull();
    }

    private Path resolve(String location) throws FileNotFoundException {
        if (!location.startsWith("file://")) {
            throw new FileNotFoundException("no classpath here");
        }
        return dir.resolve(location.substring("file://".length()));
    }

    /** A problem found in the outbound element or one of its direct children. */
    private static Arguments bad(String name, String elements, String where, String problem) {
        return Arguments.of(name, elements, ROOT + where, problem);
    }

    /** A problem with a key of a destination, reported on the destination element. */
    private static Arguments badKey(String kind, String keys, String problem) {
        return bad(kind + "='" + keys + "'", DEFAULT + destination(kind, keys, VERIFY), " <destination " + kind + "=\"" + keys + "\">", problem);
    }

    /** A problem inside a destination's rule, reported on the element within it ("" for the rule itself). */
    private static Arguments badRule(String name, String ruleElements, String where, String problem) {
        return bad(name, DEFAULT + destination("domain", "a.example", ruleElements), " <destination domain=\"a.example\">" + where, problem);
    }

    private static String destination(String kind, String keys, String ruleElements) {
        return "<destination " + kind + "='" + keys + "'>" + ruleElements + "</destination>";
    }
}
