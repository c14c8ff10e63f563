package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.common.net.InetAddresses;

import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CombinedRequirement;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.PeerCertificate;
import io.tlsgate.policy.PolicyEvaluator;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

/**
 * A realistic Sendmail access file (src/test/resources/io/tlsgate/config/access-sample: the examples of Sendmail's
 * cf/README, hex-encoded DNs, mixed case, comments, prefixes, TEMP+/PERM+, +CN, tags, entries that are not TLS policy),
 * loaded by the inbound handler and by the outbound policy, each case judged by the one evaluator.
 */
class AccessFileTest {
    private static final String AES_256 = "TLS_AES_256_GCM_SHA384";
    private static final String AES_128 = "TLS_AES_128_GCM_SHA256";
    private static final String TRIPLE_DES = "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    private static final String PARTNER_CA = "CN=Partner CA,O=Partner,C=DE";
    private static final String EXAMPLE_CA = "CN=Example CA,O=Example Org,C=US";
    private static final String OTHER_CA = "CN=Other CA,O=Elsewhere";
    private static final CertificateStatus VERIFIED = CertificateStatus.ok("chain to a trust anchor");

    @TempDir
    static Path dir;
    static Path sample;

    @BeforeAll
    static void copySample() throws IOException {
        sample = dir.resolve("access");
        try (InputStream in = AccessFileTest.class.getResourceAsStream("access-sample")) {
            Files.copy(in, sample);
        }
    }

    static InboundPolicy inbound(Path file, String more) throws PolicyConfigurationException {
        return HandlerXml.read("<accessFile>" + file + "</accessFile>" + more, Path::of, Clock.systemUTC());
    }

    /** The outbound side of an access file; VERIFY entries need trust anchors, here the JVM's unless more gives some. */
    static OutboundPolicy outbound(Path file, String more) throws PolicyConfigurationException {
        String anchors = more.contains("<verification>") ? "" : "<verification><jvmTrustStore>true</jvmTrustStore></verification>";
        return OutboundPolicyReader.read(HandlerXml.parse("<outbound>" + anchors + "<accessFile>" + file + "</accessFile>" + more
            + "</outbound>"), Path::of, Clock.systemUTC());
    }

    @Test
    void outboundVerifyEntriesNeedTrustAnchors() {
        assertThatThrownBy(() -> OutboundPolicyReader.read(HandlerXml.parse("<outbound><accessFile>" + sample + "</accessFile></outbound>"),
            Path::of, Clock.systemUTC()))
            .hasMessageContaining(sample + " line ")
            .hasMessageContaining(": level verify needs a <verification> element with the <trustAnchors>");
    }

    static PeerCertificate cert(String subject, String issuer) {
        List<String> cns = new java.util.ArrayList<>();
        for (String rdn : subject.split(",")) {
            if (rdn.startsWith("CN=")) {
                cns.add(rdn.substring(3));
            }
        }
        return new PeerCertificate(DistinguishedName.parse(subject), DistinguishedName.parse(issuer), cns, List.of(), "00", "00");
    }

    static TlsFacts plaintext(Direction direction) {
        return TlsFacts.builder(direction, "192.0.2.1").build();
    }

    static TlsFacts tls(Direction direction, String suite) {
        return TlsFacts.builder(direction, "192.0.2.1").tls("TLSv1.2", suite).build();
    }

    static TlsFacts verified(Direction direction, String suite, String subject, String issuer) {
        return TlsFacts.builder(direction, "192.0.2.1").tls("TLSv1.2", suite).peerChain(List.of(cert(subject, issuer)))
            .certificateStatus(VERIFIED).build();
    }

    static Arguments in(String name, String address, TlsFacts facts, String expected, String rule) {
        return Arguments.of(name, address, facts, expected, rule);
    }

    /** Client name (or "-"), address, what it negotiated, the reply (a prefix; "accept"), and the rule that applied. */
    static Stream<Arguments> inboundCases() {
        Direction d = Direction.INBOUND;
        return Stream.of(
            in("laptop.example.com", "203.0.113.50", plaintext(d), "530 5.7.0 Must issue a STARTTLS command first", "host laptop.example.com"),
            in("laptop.example.com", "203.0.113.50", verified(d, TRIPLE_DES, "CN=laptop,O=X", OTHER_CA), "accept", "host laptop.example.com"),
            in("laptop.example.com", "203.0.113.50", tls(d, AES_256), "554 5.7.0 certificate required, none presented", "host laptop.example.com"),
            in("a.b.LAPTOP.example.com.", "203.0.113.50", tls(d, AES_256), "554 5.7.0 certificate required", "host laptop.example.com"),
            in("host.partner.example", "203.0.113.51", tls(d, AES_128), "accept", "host partner.example"),
            in("MX2.PARTNER.EXAMPLE", "203.0.113.51", tls(d, TRIPLE_DES), "454 4.7.0 encryption too weak: 112 bits, 128 required", "host partner.example"),
            in("host.partner.example", "203.0.113.51", plaintext(d), "454 4.7.0 Must issue a STARTTLS command first", "host partner.example"),
            in("mx.partner.example", "203.0.113.52", verified(d, AES_256, "CN=mx.partner.example,O=Partner", PARTNER_CA), "accept", "host mx.partner.example"),
            in("mx.partner.example", "203.0.113.52", verified(d, AES_256, "CN=other.example,O=Partner", PARTNER_CA),
                "454 4.7.0 certificate identity mismatch: subject CN other.example", "host mx.partner.example"),
            in("mx.partner.example", "203.0.113.52", verified(d, AES_128, "CN=mx.partner.example,O=Partner", PARTNER_CA),
                "454 4.7.0 encryption too weak: 128 bits, 256 required", "host mx.partner.example"),
            in("-", "192.0.2.7", tls(d, AES_128), "454 4.7.0 encryption too weak: 128 bits, 256 required", "address 192.0.2.7"),
            in("-", "192.0.2.7", tls(d, AES_256), "accept", "address 192.0.2.7"),
            in("-", "198.51.100.9", verified(d, AES_128, "CN=mta.somewhere,O=Partner", PARTNER_CA), "accept", "address 198.51.100"),
            in("-", "198.51.100.9", verified(d, AES_128, "CN=mta.somewhere,O=Partner", OTHER_CA),
                "554 5.7.0 certificate identity mismatch: issuer DN", "address 198.51.100"),
            in("-", "198.51.100.9", plaintext(d), "530 5.7.0 Must issue a STARTTLS command first", "address 198.51.100"),
            in("-", "2001:db8::25", verified(d, AES_256, "CN=mx6.partner.example,O=Partner,C=DE", PARTNER_CA), "accept", "address 2001:db8::25"),
            in("-", "2001:db8::25", verified(d, AES_256, "CN=mx7.partner.example,O=Partner,C=DE", PARTNER_CA),
                "454 4.7.0 certificate identity mismatch: subject DN", "address 2001:db8::25"),
            in("tagged.example", "203.0.113.53", verified(d, AES_128, "CN=tagged.example", EXAMPLE_CA), "accept", "host tagged.example"),
            in("tagged.example", "203.0.113.53", verified(d, AES_128, "CN=tagged.example", PARTNER_CA), "accept", "host tagged.example"),
            in("tagged.example", "203.0.113.53", verified(d, AES_128, "CN=tagged.example", OTHER_CA),
                "454 4.7.0 certificate identity mismatch: issuer DN", "host tagged.example"),
            in("unlisted.example", "203.0.113.9", plaintext(d), "454 4.7.0 Must issue a STARTTLS command first", "default"),
            in("-", "203.0.113.9", tls(d, TRIPLE_DES), "accept", "default"),
            in("spammer.example", "192.0.2.99", tls(d, TRIPLE_DES), "accept", "default"));
    }

    @ParameterizedTest(name = "inbound {0} [{1}]: {3}")
    @MethodSource("inboundCases")
    void inboundVerdicts(String name, String address, TlsFacts facts, String expected, String rule) throws Exception {
        InboundPolicy policy = inbound(sample, "");
        var match = policy.rules().lookup(name.equals("-") ? Optional.empty() : Optional.of(name), InetAddresses.forString(address).getAddress());
        assertThat(match.toString()).isEqualTo(rule);
        assertVerdict(PolicyEvaluator.evaluate(match.rule(), facts), expected);
    }

    static Arguments out(String recipient, String mx, String mxAddress, TlsFacts facts, String expected, String rule) {
        return Arguments.of(recipient, mx, mxAddress, facts, expected, rule);
    }

    static Stream<Arguments> outboundCases() {
        Direction d = Direction.OUTBOUND;
        return Stream.of(
            // the bare TLS_Rcpt: ENCR:112 is every recipient's rule without an entry, beside the MX's TLS_Srv entry
            out("a@secure.example.com", "mx1.secure.example.com", "198.51.100.1", tls(d, TRIPLE_DES), "accept",
                "default + mx secure.example.com"),
            out("a@secure.example.com", "mx1.secure.example.com", "198.51.100.1", plaintext(d),
                "454 4.7.0 rule default: the server does not offer STARTTLS", "default + mx secure.example.com"),
            out("ceo@Bank.Example", "mx.bank.example", "198.51.100.2", verified(d, AES_256, "CN=mx.bank.example,O=Bank,C=US", OTHER_CA),
                "accept", "recipient ceo@bank.example + mx mx.bank.example"),
            out("ceo@bank.example", "mx.bank.example", "198.51.100.2", verified(d, AES_256, "CN=mx.bank.example,O=Elsewhere", OTHER_CA),
                "554 5.7.0 rule recipient ceo@bank.example: certificate identity mismatch: subject DN",
                "recipient ceo@bank.example + mx mx.bank.example"),
            out("ceo@bank.example", "mx.bank.example", "198.51.100.2", verified(d, AES_128, "CN=mx.bank.example,O=Bank,C=US", OTHER_CA),
                "554 5.7.0 rule recipient ceo@bank.example: encryption too weak: 128 bits, 256 required",
                "recipient ceo@bank.example + mx mx.bank.example"),
            // TLS_Rcpt:bank.example VERIFY:128 and TLS_Srv:mx.bank.example PERM+VERIFY:256+CN both apply (as in Sendmail)
            out("bob@bank.example", "mx.bank.example", "198.51.100.2", verified(d, AES_128, "CN=mx.bank.example", OTHER_CA),
                "554 5.7.0 rule mx mx.bank.example: encryption too weak: 128 bits, 256 required",
                "domain bank.example + mx mx.bank.example"),
            out("bob@bank.example", "mx.bank.example", "198.51.100.2", verified(d, AES_256, "CN=mx.bank.example", OTHER_CA),
                "accept", "domain bank.example + mx mx.bank.example"),
            out("bob@bank.example", "mx2.bank.example", "198.51.100.6", verified(d, AES_128, "CN=mx2.bank.example", OTHER_CA),
                "accept", "domain bank.example"),
            out("bob@bank.example", "mx.bank.example", "198.51.100.2", tls(d, AES_256),
                "554 5.7.0 rule mx mx.bank.example: certificate required, none presented", "domain bank.example + mx mx.bank.example"),
            out("bob@bank.example", "mx2.bank.example", "198.51.100.6", tls(d, AES_256),
                "454 4.7.0 certificate required, none presented", "domain bank.example"),
            out("postmaster@bank.example", "mx2.bank.example", "198.51.100.6", tls(d, AES_256),
                "454 4.7.0 certificate required, none presented", "domain bank.example"),
            out("bob@sub.bank.example", "mx2.bank.example", "198.51.100.6", tls(d, AES_256),
                "454 4.7.0 certificate required, none presented", "domain bank.example"),
            // Try_TLS:broken.example.net NO: STARTTLS is never tried there, so TLS_Rcpt:bank.example refuses it
            out("bob@bank.example", "broken.example.net", "198.51.100.4", plaintext(d),
                "454 4.7.0 rule domain bank.example: TLS required, but STARTTLS is never tried with this server"
                    + " (mx broken.example.net is level none)", "domain bank.example + mx broken.example.net"),
            out("postmaster@other.example", "broken.example.net", "198.51.100.4", plaintext(d),
                "454 4.7.0 rule local-part postmaster@: TLS required, but STARTTLS is never tried with this server"
                    + " (mx broken.example.net is level none)", "local-part postmaster@ + mx broken.example.net"),
            out("postmaster@other.example", "mx.other.example", "198.51.100.3", tls(d, TRIPLE_DES),
                "454 4.7.0 encryption too weak: 112 bits, 128 required", "local-part postmaster@"),
            out("alice@other.example", "mx.bank.example", "198.51.100.3", verified(d, AES_128, "CN=mx.bank.example", OTHER_CA),
                "554 5.7.0 rule mx mx.bank.example: encryption too weak: 128 bits, 256 required", "default + mx mx.bank.example"),
            // Try_TLS NO under a TLS_Rcpt: default that needs TLS: not delivered in plaintext (Sendmail defers too)
            out("x@broken.example.net", "broken.example.net", "198.51.100.4", plaintext(d),
                "454 4.7.0 rule default: TLS required, but STARTTLS is never tried with this server (mx broken.example.net is level none)",
                "default + mx broken.example.net"),
            out("x@hosted.example", "smtp.hoster.example", "203.0.113.25", tls(d, AES_256),
                "454 4.7.0 rule mx 203.0.113: certificate required, none presented", "default + mx 203.0.113"),
            out("x@unlisted.example", "mx.unlisted.example", "198.51.100.5", plaintext(d),
                "454 4.7.0 the server does not offer STARTTLS", "default"),
            out("x@unlisted.example", "mx.unlisted.example", "198.51.100.5", tls(d, TRIPLE_DES), "accept", "default"));
    }

    @ParameterizedTest(name = "outbound {0} via {1}: {4}")
    @MethodSource("outboundCases")
    void outboundVerdicts(String recipient, String mx, String mxAddress, TlsFacts facts, String expected, String rule) throws Exception {
        OutboundPolicy policy = outbound(sample, "");
        String domain = recipient.substring(recipient.indexOf('@') + 1);
        var rules = policy.rules().rules(recipient, domain, Optional.of(mx), InetAddresses.forString(mxAddress).getAddress());
        assertThat(rules.toString()).isEqualTo(rule);
        CombinedRequirement requirement = CombinedRequirement.of(rules, OutboundRule::requirement);
        assertThat(requirement.triesStartTls()).isEqualTo(!mx.equals("broken.example.net"));
        assertVerdict(requirement.evaluate(r -> facts).verdict(), expected);
    }

    @Test
    void tryTlsNoIsLevelNone() throws Exception {
        OutboundPolicy policy = outbound(sample, "");
        assertThat(policy.rules().rules("x@broken.example.net", "broken.example.net", Optional.of("broken.example.net"), new byte[4])
            .serverSide().orElseThrow().rule().requirement().level()).isEqualTo(TlsRequirement.Level.NONE);
        assertThat(policy.rules().lookup("ceo@bank.example", "bank.example", Optional.of("mx.bank.example"), new byte[4])
            .rule().requirement().level()).isEqualTo(TlsRequirement.Level.VERIFY);
    }

    @Test
    void localPartRecipientsTravelApartOnlyWhereNoDomainRuleComesFirst() throws Exception {
        OutboundPolicy policy = outbound(sample, "");
        assertThat(policy.rules().recipientRule("postmaster@other.example")).isPresent();
        assertThat(policy.rules().recipientRule("postmaster@bank.example")).as("the domain rule comes first").isEmpty();
        assertThat(policy.rules().recipientRule("ceo@bank.example")).isPresent();
        assertThat(policy.rules().recipientRule("bob@other.example")).isEmpty();
    }

    static Stream<Arguments> relayCases() {
        return Stream.of(
            Arguments.of("a certificate of the RELAY issuer", cert("CN=anyone,O=Partner", PARTNER_CA), true),
            Arguments.of("the SUBJECT issuer's listed subject", cert("CN=relay.example.org,O=Example Org,C=US", EXAMPLE_CA), true),
            Arguments.of("the SUBJECT issuer, another subject", cert("CN=other.example.org,O=Example Org,C=US", EXAMPLE_CA), false),
            Arguments.of("the listed subject from another issuer", cert("CN=relay.example.org,O=Example Org,C=US", OTHER_CA), false),
            Arguments.of("an unknown issuer", cert("CN=anyone,O=Partner", OTHER_CA), false));
    }

    @ParameterizedTest(name = "relay: {0}")
    @MethodSource("relayCases")
    void certificateRelay(String name, PeerCertificate certificate, boolean relays) throws Exception {
        List<RelayGrant> grants = inbound(sample, "").relayGrants();
        assertThat(grants).hasSize(2);
        assertThat(grants.stream().anyMatch(g -> g.matches(List.of(certificate)))).isEqualTo(relays);
    }

    /** A bare TLS_Rcpt: is every recipient's rule, also towards an MX with a TLS_Srv entry: both apply (Sendmail). */
    @Test
    void aBareTlsRcptAppliesBesideAnMxEntry() throws Exception {
        Path file = Files.writeString(dir.resolve("access-defaults"), "TLS_Rcpt:\tVERIFY\nTLS_Srv:mx.partner.example\tENCR:128\n");
        OutboundPolicy out = outbound(file, "");
        byte[] mx = InetAddresses.forString("192.0.2.25").getAddress();
        assertThat(out.rules().rules("bob@partner.example", "partner.example", Optional.of("mx.partner.example"), mx).applying())
            .extracting(m -> m.kind().name(), m -> m.rule().requirement().level().configName())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("DEFAULT", "verify"), org.assertj.core.groups.Tuple.tuple("MX", "encrypt"));
        assertThat(out.rules().rules("bob@other.example", "other.example", Optional.of("mx.other.example"), mx).applying())
            .extracting(m -> m.kind().name()).containsExactly("DEFAULT");

        Path server = Files.writeString(dir.resolve("access-server-default"), "TLS_Srv:\tVERIFY\nTLS_Rcpt:bank.example\tENCR:256\n");
        assertThat(outbound(server, "").rules().rules("ceo@bank.example", "bank.example", Optional.of("mx.bank.example"), mx).applying())
            .extracting(m -> m.kind().name(), m -> m.rule().requirement().level().configName())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("DOMAIN", "encrypt"), org.assertj.core.groups.Tuple.tuple("DEFAULT", "verify"));
    }

    /**
     * Names beyond ASCII: Sendmail's +XX escapes of UTF-8 bytes, raw UTF-8 in the file and a byte-order mark all read
     * as the certificate's name; a Latin-1 file still reads byte by byte.
     */
    @Test
    void namesBeyondAsciiAndAByteOrderMark() throws Exception {
        PeerCertificate mueller = cert("CN=mx.mueller.example,O=Müller", "CN=CA,O=Müller");
        List<byte[]> files = List.of(
            "CertIssuer:/O=M+C3+BCller/CN=CA\tRELAY\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            "CertIssuer:/O=Müller/CN=CA\tRELAY\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            ("\ufeffCertIssuer:/O=Müller/CN=CA\tRELAY\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "CertIssuer:/O=Müller/CN=CA\tRELAY\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (byte[] content : files) {
            Path file = Files.write(dir.resolve("access-names"), content);
            List<RelayGrant> grants = inbound(file, "<default><level>none</level></default>").relayGrants();
            assertThat(grants).as(new String(content, java.nio.charset.StandardCharsets.ISO_8859_1)).hasSize(1);
            assertThat(grants.get(0).matches(List.of(mueller))).as(new String(content, java.nio.charset.StandardCharsets.ISO_8859_1)).isTrue();
        }
    }

    @Test
    void sendmailReplyCodesOnBothSides() throws Exception {
        InboundPolicy in = inbound(sample, "<replyCodes>Sendmail</replyCodes>");
        byte[] any = InetAddresses.forString("203.0.113.50").getAddress();
        assertVerdict(PolicyEvaluator.evaluate(in.rules().lookup(Optional.of("laptop.example.com"), any).rule(), plaintext(Direction.INBOUND)),
            "503 5.7.0 Must issue a STARTTLS command first");
        assertVerdict(PolicyEvaluator.evaluate(in.rules().lookup(Optional.of("host.partner.example"), any).rule(),
            tls(Direction.INBOUND, TRIPLE_DES)), "403 4.7.0 encryption too weak: 112 bits, 128 required");
        assertVerdict(PolicyEvaluator.evaluate(in.rules().lookup(Optional.empty(), any).rule(), plaintext(Direction.INBOUND)),
            "403 4.7.0 Must issue a STARTTLS command first");
        OutboundPolicy out = outbound(sample, "<replyCodes>sendmail</replyCodes>");
        assertVerdict(PolicyEvaluator.evaluate(out.rules().lookup("ceo@bank.example", "bank.example", Optional.of("mx.bank.example"), any)
            .rule().requirement(), tls(Direction.OUTBOUND, AES_128)), "503 5.7.0 encryption too weak: 128 bits, 256 required");
        assertVerdict(PolicyEvaluator.evaluate(out.rules().defaultRule().requirement(), plaintext(Direction.OUTBOUND)),
            "403 4.7.0 the server does not offer STARTTLS");
    }

    @Test
    void standardReplyCodesByDefaultAndForXmlRulesToo() throws Exception {
        InboundPolicy in = inbound(sample, "<client peer='xml.example'><level>encrypt</level><failure>permanent</failure></client>"
            + "<replyCodes>sendmail</replyCodes>");
        byte[] any = InetAddresses.forString("203.0.113.50").getAddress();
        assertVerdict(PolicyEvaluator.evaluate(in.rules().lookup(Optional.of("xml.example"), any).rule(), plaintext(Direction.INBOUND)),
            "503 5.7.0 Must issue a STARTTLS command first");
        assertThat(in.rules().size()).isEqualTo(8);
    }

    private static void assertVerdict(Verdict verdict, String expected) {
        if (expected.equals("accept")) {
            assertThat(verdict.accepted()).as(verdict.toString()).isTrue();
        } else {
            assertThat(verdict.reply()).startsWith(expected);
        }
    }

    // ---- combination with the XML rules

    static Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1));
        return file;
    }

    @Test
    void aClientKeyInBothPlacesNamesBoth() throws Exception {
        Path file = write("both-client", "# partners", "TLS_Clt:Partner.Example. VERIFY");
        assertThatThrownBy(() -> inbound(file, "<default><level>none</level></default><client peer='partner.example'><level>encrypt</level></client>"))
            .hasMessageContaining(file + " line 2 (TLS_Clt:Partner.Example.)")
            .hasMessageContaining("has a rule in the XML too, <handler class=\"io.tlsgate.smtp.InboundTlsGate\"> <client peer=\"partner.example\">");
        Path block = write("both-block", "TLS_Clt:192.0.2 VERIFY");
        assertThatThrownBy(() -> inbound(block, "<default><level>none</level></default><client peer='192.0.2.0/24'><level>encrypt</level></client>"))
            .hasMessageContaining("line 1 (TLS_Clt:192.0.2)").hasMessageContaining("<client peer=\"192.0.2.0/24\">");
    }

    @Test
    void aDefaultInBothPlacesNamesBoth() throws Exception {
        assertThatThrownBy(() -> inbound(sample, "<default><level>none</level></default>"))
            .hasMessageContaining("<default>").hasMessageContaining("line 17 (TLS_Clt:)");
        assertThatThrownBy(() -> outbound(sample, "<default><level>may</level></default>"))
            .hasMessageContaining("<default>").hasMessageContaining("line 35 (TLS_Rcpt:)");
    }

    @Test
    void noDefaultAnywhereIsRefused() throws Exception {
        Path file = write("no-default", "TLS_Clt:a.example VERIFY", "TLS_Srv:b.example VERIFY");
        assertThatThrownBy(() -> inbound(file, "")).hasMessageContaining("no <default> rule").hasMessageContaining("bare TLS_Clt:");
        assertThatThrownBy(() -> outbound(file, "")).hasMessageContaining("no <default> rule").hasMessageContaining("bare TLS_Srv:");
        assertThat(inbound(file, "<default><level>none</level></default>").rules().size()).isEqualTo(1);
    }

    @Test
    void outboundKeysInBothPlacesNameBoth() throws Exception {
        Path file = write("both-outbound", "TLS_Srv:mx.a.example VERIFY", "TLS_Rcpt:b.example VERIFY", "TLS_Rcpt:c@d.example VERIFY");
        String rules = "<default><level>may</level></default>";
        assertThatThrownBy(() -> outbound(file, rules + "<destination mx='MX.A.example'><level>encrypt</level></destination>"))
            .hasMessageContaining("line 1 (TLS_Srv:mx.a.example)").hasMessageContaining("<destination mx=\"MX.A.example\">");
        assertThatThrownBy(() -> outbound(file, rules + "<destination domain='b.example'><level>encrypt</level></destination>"))
            .hasMessageContaining("line 2 (TLS_Rcpt:b.example)").hasMessageContaining("<destination domain=\"b.example\">");
        assertThatThrownBy(() -> outbound(file, rules + "<destination recipient='c@d.example'><level>encrypt</level></destination>"))
            .hasMessageContaining("line 3 (TLS_Rcpt:c@d.example)").hasMessageContaining("<destination recipient=\"c@d.example\">");
        assertThat(outbound(file, rules + "<destination mx='other.example'><level>encrypt</level></destination>").rules().size()).isEqualTo(4);
    }

    // ---- bad files: the line and the problem

    static Stream<Arguments> badFiles() {
        return Stream.of(
            Arguments.of("a trailing comment", "TLS_Clt:x.example VERIFY # partner", 1, "has more than one word"),
            Arguments.of("no value", "TLS_Clt:x.example", 1, "no value"),
            Arguments.of("ENCR without bits", "TLS_Clt:x.example ENCR", 1, "ENCR needs the minimum bits"),
            Arguments.of("bits that can never be met", "TLS_Srv:x.example VERIFY:512", 1, "512 bits can never be met"),
            Arguments.of("not a TLS value", "TLS_Clt:x.example OK", 1, "'OK' is not VERIFY, VERIFY:bits or ENCR:bits"),
            Arguments.of("an unknown extension", "TLS_Clt:x.example VERIFY+XY:1", 1, "unknown extension"),
            Arguments.of("TEMP and PERM", "TLS_Clt:x.example TEMP+PERM+VERIFY", 1, "is not VERIFY"),
            Arguments.of("+CN inbound", "TLS_Clt:x.example VERIFY+CN", 1, "+CN compares the certificate with the client's host name"),
            Arguments.of("an empty extension", "TLS_Srv:x.example VERIFY+CS:", 1, "names nothing after the ':'"),
            Arguments.of("two client defaults", "TLS_Clt: VERIFY\nTLS_Clt: ENCR:128", 2, "a second default for clients; line 1"),
            Arguments.of("two outbound defaults", "TLS_Srv: VERIFY\nTLS_Rcpt: ENCR:128", 2, "a second outbound default; line 1"),
            Arguments.of("Try_TLS YES", "Try_TLS:x.example YES", 1, "Try_TLS takes NO"),
            Arguments.of("CertIssuer TRUST", "CertIssuer:/C=US/CN=CA TRUST", 1, "CertIssuer takes RELAY or SUBJECT"),
            Arguments.of("CertSubject SUBJECT", "CertIssuer:/CN=CA SUBJECT\nCertSubject:/CN=x SUBJECT", 2, "CertSubject takes RELAY"),
            Arguments.of("an RFC 4514 DN", "CertIssuer:CN=CA,C=US RELAY", 1, "not a distinguished name in Sendmail's form"),
            Arguments.of("a broken hex escape", "CertIssuer:/C=US/O=A+2/CN=CA RELAY", 1, "not followed by two hex digits"),
            Arguments.of("CertSubject never consulted", "CertIssuer:/CN=CA RELAY\nCertSubject:/CN=x RELAY", 2, "is never consulted"),
            Arguments.of("an unknown tag", "TLS_Clt:x.example VERIFY+CITag:none", 1, "no CITag: entry has the tag none"),
            Arguments.of("Srv_Features V", "Srv_Features:x.example V", 1, "V (do not ask this client for a certificate) cannot be honoured"),
            Arguments.of("Srv_Features S", "Srv_Features: S", 1, "S (do not offer STARTTLS to this client) cannot be honoured"),
            Arguments.of("Cli_Features", "Connect:a REJECT\nCli_Features:x.example S", 2, "unsupported TLS entry Cli_Features:"),
            Arguments.of("TLS_Srv_Features", "TLS_Srv_Features:x.example A", 1, "unsupported TLS entry TLS_Srv_Features:"),
            Arguments.of("a recipient with two @", "TLS_Rcpt:a@b@c.example VERIFY", 1, "is not user@, user@domain or a domain"),
            Arguments.of("an address as recipient", "TLS_Rcpt:192.0.2.1 VERIFY", 1, "is an address"),
            Arguments.of("a bad address", "TLS_Clt:192.0.2.300 VERIFY", 1, "300 is not an address byte"),
            Arguments.of("a wildcard", "TLS_Clt:*.x.example VERIFY", 1, "a domain entry already covers all its subdomains"),
            Arguments.of("after comments and blank lines", "# c\n\n   \nConnect:x REJECT\nTLS_Clt:x.example BAD", 5, "'BAD'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badLinesStopBothSidesWithTheLineNumber(String name, String content, int line, String problem) throws Exception {
        Path file = write("bad-" + name.replaceAll("\\W", "-"), content);
        for (ThrowingRead read : List.<ThrowingRead>of(() -> inbound(file, "<default><level>none</level></default>"),
                () -> outbound(file, "<default><level>may</level></default>"))) {
            assertThatThrownBy(read::run).isInstanceOf(PolicyConfigurationException.class)
                .hasMessageContaining("<accessFile> " + file + " line " + line + " (")
                .hasMessageContaining(problem);
        }
    }

    /** Found when the side that uses the entries builds its table: the other side never looks at them. */
    @Test
    void keysGivenTwiceAreRefusedByTheSideThatUsesThem() throws Exception {
        String none = "<default><level>none</level></default>";
        String may = "<default><level>may</level></default>";
        Path clients = write("twice-client", "TLS_Clt:x.example VERIFY", "# again", "TLS_Clt:X.Example. ENCR:128");
        assertThatThrownBy(() -> inbound(clients, none)).hasMessageContaining(clients + " line 3 (TLS_Clt:X.Example.)")
            .hasMessageContaining("the client host x.example has an entry already on line 1 (TLS_Clt:x.example); keep one");
        Path blocks = write("twice-block", "TLS_Srv:10.1 VERIFY", "TLS_Srv:10.1.0.0/16 ENCR:128");
        assertThatThrownBy(() -> outbound(blocks, may)).hasMessageContaining(blocks + " line 2 (TLS_Srv:10.1.0.0/16)")
            .hasMessageContaining("has an entry already on line 1 (TLS_Srv:10.1)");
        Path recipients = write("twice-rcpt", "TLS_Rcpt:A@b.example VERIFY", "TLS_Rcpt:postmaster@ VERIFY", "TLS_Rcpt:a@B.example ENCR:128",
            "TLS_Rcpt:Postmaster@ ENCR:128");
        assertThatThrownBy(() -> outbound(recipients, may)).hasMessageContaining("line 3 (TLS_Rcpt:a@B.example)")
            .hasMessageContaining("already on line 1");
        Path localParts = write("twice-local", "TLS_Rcpt:postmaster@ VERIFY", "TLS_Rcpt:Postmaster@ ENCR:128");
        assertThatThrownBy(() -> outbound(localParts, may)).hasMessageContaining("line 2 (TLS_Rcpt:Postmaster@)")
            .hasMessageContaining("already on line 1");
        Path issuers = write("twice-issuer", "CertIssuer:/CN=CA RELAY", "CertIssuer:/cn=ca RELAY");
        assertThatThrownBy(() -> inbound(issuers, none)).hasMessageContaining("line 2 (CertIssuer:/cn=ca)").hasMessageContaining("already on line 1");
        assertThat(inbound(blocks, none).rules().size()).as("inbound does not use TLS_Srv").isZero();
    }

    @Test
    void aMissingFileNamesTheElement() {
        assertThatThrownBy(() -> inbound(dir.resolve("nowhere"), "<default><level>none</level></default>"))
            .hasMessageContaining("<accessFile>").hasMessageContaining("does not exist or is not a file");
    }

    @Test
    void sendmailDistinguishedNames() {
        assertThat(SendmailDn.parse("/C=US/ST=California/O=endmail.org/OU=private/CN=Darth+20Mail+20+28Cert+29/Email=darth+2Bcert@endmail.org"))
            .isEqualTo(DistinguishedName.parse("EMAILADDRESS=darth\\+cert@endmail.org,CN=Darth Mail (Cert),OU=private,O=endmail.org,ST=California,C=US"));
        assertThat(SendmailDn.parse("/c=us/o=example+20org/cn=ca")).isEqualTo(DistinguishedName.parse("CN=CA,O=Example Org,C=US"));
        assertThat(SendmailDn.parse("/O=A+2C+20B/CN=x/y")).isEqualTo(DistinguishedName.parse("CN=x/y,O=A\\, B"));
    }

    interface ThrowingRead {
        void run() throws Exception;
    }
}
