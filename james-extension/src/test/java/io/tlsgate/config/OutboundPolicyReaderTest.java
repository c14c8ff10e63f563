package io.tlsgate.config;

import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.dns;
import static io.tlsgate.pki.TestCertificates.writeKeyStore;
import static io.tlsgate.pki.TestCertificates.writePem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.google.common.net.InetAddresses;

import io.tlsgate.pki.ServerName;
import io.tlsgate.pki.TestCertificates;
import io.tlsgate.pki.TestCertificates.Authority;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CombinedRequirement;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.DestinationTable.Kind;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.TlsRequirement.Failure;
import io.tlsgate.policy.TlsRequirement.Level;

/** Outbound policy files the reader accepts, checked by what the resulting table answers. */
class OutboundPolicyReaderTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final Authority CA = Authority.root("CN=Relay CA,O=Us", TestCertificates.ecKey("secp256r1"));
    private static final String PIN = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static final String POLICY = "<outbound>"
        + "  <default><level>may</level></default>"
        + "  <!-- keys separated by blanks and commas -->"
        + "  <destination recipient='CEO@Partner.Example, audit@partner.example.'>"
        + "    <level>secure</level> <minProtocol>TLSv1.3</minProtocol>"
        + "  </destination>"
        + "  <destination domain='partner.example other.example'>"
        + "    <level>verify</level> <minCipherBits>128</minCipherBits> <failure>permanent</failure>"
        + "  </destination>"
        + "  <destination domain='legacy.example'><level>none</level></destination>"
        + "  <destination mx='mx.hoster.example,192.0.2.0/24  2001:db8::/32 10.1'><level>encrypt</level></destination>"
        + "  <destination mx='IPv6:2001:db8:1::25 smtp.pinned.example.'>"
        + "    <level>fingerprint</level> <pin of='spki'>" + PIN + "</pin>"
        + "  </destination>"
        + "  <destination domain='strict.example'>"
        + "    <minCipherBits>256</minCipherBits> <missingTls>permanent</missingTls> <revocation>soft-fail</revocation>"
        + "    <dnsName match='glob'>*.strict.example</dnsName>"
        + "  </destination>"
        + "</outbound>";

    private static final String MAY = "level=may";
    private static final String SECURE = "level=secure minProtocol=TLSv1.3 failure=temporary missingTls=temporary afterRefusal=refuse";
    private static final String VERIFY = "level=verify minCipherBits=128 failure=permanent missingTls=permanent afterRefusal=refuse";
    private static final String ENCRYPT = "level=encrypt failure=temporary missingTls=temporary afterRefusal=refuse";
    private static final String FINGERPRINT = "level=fingerprint pins=[spki:sha256:" + PIN + "] failure=temporary missingTls=temporary"
        + " afterRefusal=refuse";
    private static final String STRICT = "level=verify minCipherBits=256 identity=[subjectAltName DNS name glob:*.strict.example]"
        + " revocation=soft-fail failure=temporary missingTls=permanent afterRefusal=refuse";

    /** Written once: key stores are slow to make. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeFiles() {
        writePem(dir.resolve("ca.pem"), CA.certificate);
        writeKeyStore(dir.resolve("relay.p12"), "PKCS12", "secret", CA, "CN=relay.tlsgate.test,O=Us");
        writeKeyStore(dir.resolve("relay.jks"), "JKS", "secret", CA, "CN=relay.tlsgate.test,O=Us");
        writeKeyStore(dir.resolve("relay.key"), "PKCS12", "secret", CA, "CN=relay.tlsgate.test,O=Us");
    }

    @ParameterizedTest(name = "{0} via {2} [{3}] -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "ceo@partner.example   | partner.example  | mx.hoster.example   | 192.0.2.1     | recipient ceo@partner.example   | " + SECURE,
        "audit@partner.example | partner.example  | mx.hoster.example   | 192.0.2.1     | recipient audit@partner.example | " + SECURE,
        "cfo@partner.example   | partner.example  | mx.hoster.example   | 192.0.2.1     | domain partner.example          | " + VERIFY,
        "x@eu.other.example    | eu.other.example | -                   | 198.51.100.1  | domain other.example            | " + VERIFY,
        "x@legacy.example      | legacy.example   | mx.hoster.example   | 192.0.2.1     | domain legacy.example           | level=none",
        "x@strict.example      | strict.example   | mx.strict.example   | 198.51.100.1  | domain strict.example           | " + STRICT,
        "x@customer.example    | customer.example | a.mx.hoster.example | 198.51.100.1  | mx mx.hoster.example            | " + ENCRYPT,
        "x@customer.example    | customer.example | mx.customer.example | 192.0.2.99    | mx 192.0.2.0/24                 | " + ENCRYPT,
        "x@customer.example    | customer.example | mx.customer.example | 10.1.2.3      | mx 10.1                         | " + ENCRYPT,
        "x@customer.example    | customer.example | mx.customer.example | 2001:db8:1::25 | mx 2001:db8:1::25              | " + FINGERPRINT,
        "x@customer.example    | customer.example | mx.customer.example | 2001:db8:2::25 | mx 2001:db8::/32               | " + ENCRYPT,
        "x@customer.example    | customer.example | smtp.pinned.example | 198.51.100.1  | mx smtp.pinned.example          | " + FINGERPRINT,
        "x@customer.example    | customer.example | mx.customer.example | 198.51.100.1  | default                         | " + MAY,
    })
    void rulesAreFoundForTheirDestinations(String recipient, String domain, String mxName, String mxAddress, String match, String rule)
            throws PolicyConfigurationException {
        DestinationTable.Match<OutboundRule> found = read(POLICY).rules()
            .lookup(recipient, domain, Optional.ofNullable(mxName), InetAddresses.forString(mxAddress).getAddress());
        assertThat(found).hasToString(match);
        assertThat(found.rule()).hasToString(rule);
        assertThat(found.rule().clientCertificate()).isEmpty();
    }

    /** The recipient side's rule and the MX rule both apply; the default only when neither side has a rule. */
    @ParameterizedTest(name = "{0} via {1} [{2}] -> {3}")
    @CsvSource(delimiter = '|', value = {
        "ceo@partner.example   | mx.hoster.example   | 192.0.2.1    | recipient ceo@partner.example + mx mx.hoster.example | true  | true",
        "cfo@partner.example   | mx.hoster.example   | 192.0.2.1    | domain partner.example + mx mx.hoster.example        | true  | true",
        "cfo@partner.example   | mx.partner.example  | 198.51.100.1 | domain partner.example                               | true  | true",
        "x@legacy.example      | mx.legacy.example   | 198.51.100.1 | domain legacy.example                                | false | false",
        "x@legacy.example      | mx.hoster.example   | 192.0.2.1    | domain legacy.example + mx mx.hoster.example         | true  | true",
        "x@strict.example      | smtp.pinned.example | 198.51.100.1 | domain strict.example + mx smtp.pinned.example       | true  | true",
        "x@customer.example    | mx.hoster.example   | 192.0.2.1    | mx mx.hoster.example                                 | true  | true",
        "x@customer.example    | mx.customer.example | 198.51.100.1 | default                                              | true  | false",
    })
    void bothSidesApply(String recipient, String mxName, String mxAddress, String rules, boolean triesStartTls, boolean requiresTls)
            throws PolicyConfigurationException {
        String domain = recipient.substring(recipient.indexOf('@') + 1);
        DestinationTable.Rules<OutboundRule> found = read(POLICY).rules()
            .rules(recipient, domain, Optional.of(mxName), InetAddresses.forString(mxAddress).getAddress());
        assertThat(found).hasToString(rules);
        CombinedRequirement requirement = CombinedRequirement.of(found, OutboundRule::requirement);
        assertThat(requirement.triesStartTls()).isEqualTo(triesStartTls);
        assertThat(requirement.requiresTls()).isEqualTo(requiresTls);
    }

    @Test
    void everyKeyIsAnEntry() throws PolicyConfigurationException {
        OutboundPolicy policy = read(POLICY);
        assertThat(policy.rules().size()).isEqualTo(12);
        assertThat(policy.rules().defaultRule()).hasToString(MAY);
        assertThat(policy.rules().recipientRule("ceo@PARTNER.example")).map(Object::toString).contains(SECURE);
        assertThat(policy.rules().recipientRule("cfo@partner.example")).isEmpty();
    }

    /** Outbound, a missing STARTTLS is temporary by default (the mail stays queued); inbound it is permanent (530). */
    @Test
    void refusalsAreTemporaryByDefault() throws PolicyConfigurationException {
        TlsRequirement outbound = read("<outbound><default><level>encrypt</level></default></outbound>").rules().defaultRule().requirement();
        assertThat(outbound).extracting(TlsRequirement::level, TlsRequirement::failure, TlsRequirement::missingTls)
            .containsExactly(Level.ENCRYPT, Failure.TEMPORARY, Failure.TEMPORARY);
        TlsRequirement inbound = HandlerXml.read("<default><level>encrypt</level></default>").defaultRule();
        assertThat(inbound.missingTls()).isEqualTo(Failure.PERMANENT);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "<level>none</level>                             | level=none",
        "<level>MAY</level>                              | level=may",
        "<level>Secure</level>                           | level=secure failure=temporary missingTls=temporary afterRefusal=refuse",
        "<minCipherBits>128</minCipherBits>              | level=encrypt minCipherBits=128 failure=temporary missingTls=temporary afterRefusal=refuse",
        "<dnsName>mx.a.example</dnsName>                 | level=verify identity=[subjectAltName DNS name mx.a.example] failure=temporary missingTls=temporary afterRefusal=refuse",
        "<level>verify</level><minRsaBits>3072</minRsaBits><minEcBits>384</minEcBits><revocation>off</revocation>"
            + " | level=verify minRsaBits=3072 minEcBits=384 revocation=off failure=temporary missingTls=temporary afterRefusal=refuse",
        "<level>encrypt</level><failure>permanent</failure><missingTls>permanent</missingTls>"
            + " | level=encrypt failure=permanent missingTls=permanent afterRefusal=refuse",
        "<level>encrypt</level><failure>permanent</failure>"
            + " | level=encrypt failure=permanent missingTls=permanent afterRefusal=refuse",
        "<level>encrypt</level><failure>permanent</failure><missingTls>temporary</missingTls>"
            + " | level=encrypt failure=permanent missingTls=temporary afterRefusal=refuse",
    })
    void eachLevelAndSettingOfARule(String elements, String rule) throws PolicyConfigurationException {
        assertThat(read("<outbound><default>" + elements + "</default></outbound>").rules().defaultRule()).hasToString(rule);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a PKCS12 file                    | <clientCertificate password='secret'>file://relay.p12</clientCertificate>",
        "a JKS file                       | <clientCertificate password='secret'>file://relay.jks</clientCertificate>",
        "a type for a name that says none | <clientCertificate type='pkcs12' password='secret'>file://relay.key</clientCertificate>",
        "a type in capitals               | <clientCertificate type='JKS' password='secret'>file://relay.jks</clientCertificate>",
    })
    void aRuleMayPresentACertificateOfOurOwn(String name, String element) throws PolicyConfigurationException {
        OutboundPolicy policy = read("<outbound><default><level>may</level></default>"
            + "<destination domain='partner.example'><level>verify</level>" + element + "</destination></outbound>");
        OutboundRule rule = policy.rules().lookup("x@partner.example", "partner.example", Optional.empty(), new byte[4]).rule();
        String file = element.substring(element.indexOf("file://") + 7, element.indexOf("</"));
        assertThat(rule.clientCertificate()).isPresent();
        assertThat(rule.clientCertificate().get().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=relay.tlsgate.test,O=Us");
        assertThat(rule.clientCertificate().get().keyManagers()).hasSize(1);
        assertThat(rule).hasToString("level=verify failure=temporary missingTls=temporary afterRefusal=refuse"
            + " clientCertificate=CN=relay.tlsgate.test,O=Us (" + dir.resolve(file) + ")");
        assertThat(policy.rules().defaultRule().clientCertificate()).isEmpty();
    }

    /** Level may tries STARTTLS when offered, so a certificate of ours may be presented then. */
    @Test
    void levelMayMayPresentACertificate() throws PolicyConfigurationException {
        OutboundRule rule = read("<outbound><default><level>may</level>"
            + "<clientCertificate password='secret'>file://relay.p12</clientCertificate></default></outbound>").rules().defaultRule();
        assertThat(rule.requirement().level()).isEqualTo(Level.MAY);
        assertThat(rule.clientCertificate()).isPresent();
    }

    /** The verification element makes a cache that verifies server chains against its anchors and names. */
    @Test
    void verificationVerifiesServers() throws PolicyConfigurationException {
        OutboundPolicy policy = read("<outbound><verification><trustAnchors>file://ca.pem</trustAnchors></verification>"
            + "<default><level>verify</level></default></outbound>");
        assertThat(policy.verification()).isPresent();
        List<X509Certificate> chain = List.of(CA.issue("CN=mx.partner.example,O=Partner").server(dns("mx.partner.example")).build());
        assertThat(policy.verification().get().verifyServer(chain, Level.VERIFY, CertificateRequirement.defaults(),
                ServerName.host("mx.partner.example")))
            .extracting(CertificateStatus::outcome, CertificateStatus::detail)
            .containsExactly(CertificateStatus.Outcome.OK, "chain to CN=Relay CA,O=Us");
        assertThat(policy.verification().get().verifyServer(chain, Level.VERIFY, CertificateRequirement.defaults(),
                ServerName.host("mx.other.example")))
            .extracting(CertificateStatus::outcome, CertificateStatus::detail)
            .containsExactly(CertificateStatus.Outcome.FAIL, "certificate names [mx.partner.example], not the MX host mx.other.example");
    }

    @Test
    void aDefaultAloneIsEnough() throws PolicyConfigurationException {
        OutboundPolicy policy = read("<outbound>\n  <default>\n    <level>verify</level>\n  </default>\n</outbound>");
        assertThat(policy.rules().size()).isZero();
        assertThat(policy.rules().lookup("a@b.example", "b.example", Optional.of("mx.b.example"), new byte[4]).kind()).isEqualTo(Kind.DEFAULT);
    }

    /** The sample relay configuration of this repository reads, apart from its files, which only a James installation has. */
    @Test
    void readsTheShippedSample() throws Exception {
        Files.createDirectories(dir.resolve("conf/tls"));
        writePem(dir.resolve("conf/tls/ca.crt"), CA.certificate);
        Files.copy(Path.of("../conf-samples/inbound-gate/sendmail-access"), dir.resolve("conf/sendmail-access"));
        String sample = Files.readString(Path.of("../conf-samples/inbound-gate/tlsgate-outbound.xml"));
        OutboundPolicy policy = OutboundPolicyReader.read(HandlerXml.parse(sample), this::resolve, CLOCK);
        assertThat(policy.rules().defaultRule().requirement().level()).isEqualTo(Level.VERIFY);
        assertThat(policy.rules().lookup("x@perm.peer.demo.test", "perm.peer.demo.test", Optional.empty(), new byte[4]).rule().requirement()
            .failure()).isEqualTo(Failure.PERMANENT);
        // TLS_Rcpt:bounced@peer.demo.test PERM+... in conf/sendmail-access, which the file names.
        assertThat(policy.rules().lookup("bounced@peer.demo.test", "peer.demo.test", Optional.empty(), new byte[4]).rule().requirement()
            .failure()).isEqualTo(Failure.PERMANENT);
        assertThat(policy.verification()).isPresent();
    }

    /** Inline in the relay mailet's element: the rule elements count, the mailet's settings and attributes are not rules. */
    @Test
    void inlineRulesAreReadFromTheMailetElement() throws PolicyConfigurationException {
        String mailet = POLICY.replace("<outbound>", "<mailet match='All' class='io.tlsgate.delivery.TlsRemoteDelivery'>"
                + "<verification><jvmTrustStore>true</jvmTrustStore></verification>"
                + "<delayTime>5 minutes</delayTime><maxRetries>3</maxRetries><mail.smtp.localhost>relay.example</mail.smtp.localhost>")
            .replace("</outbound>", "<bounceProcessor>bounces</bounceProcessor></mailet>");
        OutboundPolicy inline = OutboundPolicyReader.readInline(HandlerXml.parse(mailet), "mailetcontainer.xml <processor state=\"relay\">",
            this::resolve, CLOCK);
        OutboundPolicy file = read(POLICY);
        assertThat(inline.rules().size()).isEqualTo(file.rules().size());
        assertThat(inline.rules().defaultRule()).hasToString(MAY);
        assertThat(inline.rules().lookup("cfo@partner.example", "partner.example", Optional.empty(), new byte[4]).rule())
            .hasToString(VERIFY);
        assertThat(inline.verification()).isPresent();
    }

    @Test
    void inlineErrorsNameTheMailetElement() {
        String mailet = "<mailet match='All' class='io.tlsgate.delivery.TlsRemoteDelivery'><maxRetries>3</maxRetries>"
            + "<default><level>verified</level></default></mailet>";
        PolicyConfigurationException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> OutboundPolicyReader.readInline(
            HandlerXml.parse(mailet), "mailetcontainer.xml <processor state=\"relay\">", this::resolve, CLOCK),
            PolicyConfigurationException.class);
        assertThat(e.location()).isEqualTo("mailetcontainer.xml <processor state=\"relay\">"
            + " <mailet match=\"All\" class=\"io.tlsgate.delivery.TlsRemoteDelivery\"> <default> <level>");
        assertThat(e.problem()).startsWith("'verified' is not one of none, may, encrypt, fingerprint, verify, secure");
    }

    /**
     * Reads a policy; one without {@code <verification>} gets the JVM's trust store as anchors, which levels verify
     * and secure need (tests of rule syntax; {@link OutboundPolicyReaderErrorsTest} shows the error without them).
     */
    private OutboundPolicy read(String xml) throws PolicyConfigurationException {
        String withAnchors = xml.contains("<verification>") ? xml
            : xml.replaceFirst("<outbound>", "<outbound><verification><jvmTrustStore>true</jvmTrustStore></verification>");
        return OutboundPolicyReader.read(HandlerXml.parse(withAnchors), this::resolve, CLOCK);
    }

    /** Resolves "file://name" in the temporary directory; other schemes are unknown, as to James's FileSystem. */
    private Path resolve(String location) throws FileNotFoundException {
        if (!location.startsWith("file://")) {
            throw new FileNotFoundException("no classpath here");
        }
        return dir.resolve(location.substring("file://".length()));
    }
}
