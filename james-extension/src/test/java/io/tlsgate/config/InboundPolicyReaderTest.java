package io.tlsgate.config;

import static io.tlsgate.config.HandlerXml.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.common.net.InetAddresses;

import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.PeerTable.Match;
import io.tlsgate.policy.TlsRequirement;

/** Configurations the reader accepts, checked by what the resulting table answers. */
class InboundPolicyReaderTest {
    private static final String DEFAULT_RULE = "level=encrypt minCipherBits=128 minProtocol=TLSv1.2"
        + " failure=temporary missingTls=permanent afterRefusal=refuse";
    private static final String PARTNER_RULE = "level=verify minCipherBits=256 minProtocol=TLSv1.3 identity=["
        + "subject CN mx.partner.example; subject DN glob:CN=*,O=Partner; issuer DN CN=Partner CA, O=Partner;"
        + " subjectAltName DNS name [glob:*.partner.example, regex:mx\\d+\\.partner\\.example]]"
        + " failure=permanent missingTls=temporary afterRefusal=disconnect";

    private static final PeerTable<TlsRequirement> TABLE = readUnchecked(
        "<default>"
            + "  <level>encrypt</level> <minCipherBits>128</minCipherBits> <minProtocol>TLSv1.2</minProtocol>"
            + "</default>"
            + "<!-- keys separated by blanks and commas; a rule may hold every setting -->"
            + "<client peer='mx.partner.example 192.0.2.0/24, 10.1'>"
            + "  <dnsName match='glob'>*.partner.example</dnsName>"
            + "  <level>verify</level> <minCipherBits>256</minCipherBits> <minProtocol>tlsv1.3</minProtocol>"
            + "  <failure>permanent</failure> <missingTls>temporary</missingTls> <afterRefusal>disconnect</afterRefusal>"
            + "  <issuerDn>CN=Partner CA, O=Partner</issuerDn>"
            + "  <dnsName match='REGEX'>mx\\d+\\.partner\\.example</dnsName>"
            + "  <subjectDn match='glob'>CN=*,O=Partner</subjectDn>"
            + "  <subjectCn match='exact'>mx.partner.example</subjectCn>"
            + "</client>"
            + "<client peer='legacy.example IPv6:2001:db8::/32 2001:db8:1::25 172.16'><level>NONE</level></client>"
            + "<client peer='  relay.Example.  '>\n  <minCipherBits> 112 </minCipherBits>\n  <failure> Permanent </failure>\n</client>");

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "mx.partner.example  | 203.0.113.1   | host mx.partner.example | " + PARTNER_RULE,
        "a.mx.partner.example| 203.0.113.1   | host mx.partner.example | " + PARTNER_RULE,
        "-                   | 192.0.2.77    | address 192.0.2.0/24    | " + PARTNER_RULE,
        "-                   | 10.1.200.3    | address 10.1            | " + PARTNER_RULE,
        "-                   | 10.2.0.1      | default                 | " + DEFAULT_RULE,
        "-                   | 2001:db8:5::1 | address 2001:db8::/32   | level=none",
        "-                   | 2001:db8:1::25| address 2001:db8:1::25  | level=none",
        "-                   | 172.16.9.9    | address 172.16          | level=none",
        "mail.legacy.example | 203.0.113.1   | host legacy.example     | level=none",
        "RELAY.example       | 203.0.113.1   | host relay.example      | level=encrypt minCipherBits=112 failure=permanent missingTls=permanent afterRefusal=refuse",
        "other.example       | 203.0.113.1   | default                 | " + DEFAULT_RULE,
    })
    void rulesAreFoundForTheirPeers(String hostName, String address, String match, String rule) {
        Match<TlsRequirement> found = lookup(hostName, address);
        assertThat(found).hasToString(match);
        assertThat(found.rule()).hasToString(rule);
    }

    @Test
    void everyKeyIsAnEntry() {
        assertThat(TABLE).extracting(PeerTable::size, PeerTable::hasHostEntries).containsExactly(8, true);
    }

    /** Whatever order they are written in, so that the first mismatch reported is the same on every start. */
    @Test
    void identityConstraintsAreCheckedInAFixedOrder() throws PolicyConfigurationException {
        List<IdentityConstraint.Field> expected = List.of(IdentityConstraint.Field.SUBJECT_CN, IdentityConstraint.Field.SUBJECT_DN,
            IdentityConstraint.Field.ISSUER_DN, IdentityConstraint.Field.DNS_NAME);
        assertThat(lookup("mx.partner.example", "203.0.113.1").rule().identity())
            .extracting(IdentityConstraint::field).isEqualTo(expected);
        TlsRequirement reversed = read("<default><dnsName>a.example</dnsName><issuerDn>CN=CA</issuerDn>"
            + "<subjectDn>CN=a</subjectDn><subjectCn>a</subjectCn></default>").defaultRule();
        assertThat(reversed.identity()).extracting(IdentityConstraint::field).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "<default><level>none</level></default>",
        "<default>\n  <!-- every client is exempt -->\n  <level> none </level>\n</default>",
        "<!-- comment --><default><level>none</level></default><!-- comment -->",
    })
    void aDefaultAloneIsEnough(String rules) throws PolicyConfigurationException {
        PeerTable<TlsRequirement> table = read(rules);
        assertThat(table).extracting(PeerTable::size, PeerTable::hasHostEntries).containsExactly(0, false);
        assertThat(table.defaultRule()).hasToString("level=none");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "<subjectCn>a.example</subjectCn><subjectCn match='glob'>*.b.example</subjectCn> | subject CN [a.example, glob:*.b.example]",
        "<dnsName>a.example</dnsName><dnsName>b.example</dnsName>                        | subjectAltName DNS name [a.example, b.example]",
        "<issuerDn match='regex'>CN=[AB] CA</issuerDn>                                    | issuer DN regex:CN=[AB] CA",
    })
    void anIdentityElementRepeatedAcceptsEachValue(String elements, String constraint) throws PolicyConfigurationException {
        TlsRequirement rule = read("<default>" + elements + "</default>").defaultRule();
        assertThat(rule.level()).isEqualTo(TlsRequirement.Level.VERIFY);
        assertThat(rule.identity().stream().map(IdentityConstraint::toString).collect(Collectors.toList())).containsExactly(constraint);
    }

    private static final String HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String BASE64 = "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=";
    private static final String COLONS = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    private static final String FAILURE_DEFAULTS = " failure=temporary missingTls=permanent afterRefusal=refuse";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "<level>fingerprint</level><pin of='spki'>" + HEX + "</pin>            | level=fingerprint pins=[spki:sha256:" + HEX + "]",
        "<level>fingerprint</level><pin of='certificate'>" + COLONS + "</pin>  | level=fingerprint pins=[certificate:sha256:" + HEX + "]",
        "<level>FINGERPRINT</level><pin of='SPKI'>" + BASE64 + "</pin>         | level=fingerprint pins=[spki:sha256:" + HEX + "]",
        "<pin of='Certificate'> " + HEX + " </pin>                             | level=verify pins=[certificate:sha256:" + HEX + "]",
        "<pin of='spki'>" + HEX + "</pin><pin of='certificate'>" + HEX + "</pin> | level=verify pins=[spki:sha256:" + HEX + ", certificate:sha256:" + HEX + "]",
        "<acceptServerAuthOnly>true</acceptServerAuthOnly>                     | level=verify acceptServerAuthOnly=true",
        "<acceptServerAuthOnly>TRUE</acceptServerAuthOnly><level>verify</level> | level=verify acceptServerAuthOnly=true",
        "<level>verify</level><acceptServerAuthOnly>false</acceptServerAuthOnly> | level=verify",
        "<minRsaBits>1024</minRsaBits>                                         | level=verify minRsaBits=1024",
        "<minRsaBits> 16384 </minRsaBits>                                      | level=verify minRsaBits=16384",
        "<level>encrypt</level><minRsaBits>2048</minRsaBits>                   | level=encrypt",
        "<minEcBits>224</minEcBits>                                            | level=verify minEcBits=224",
        "<minEcBits>521</minEcBits>                                            | level=verify minEcBits=521",
        "<revocation>soft-fail</revocation>                                    | level=verify revocation=soft-fail",
        "<revocation>SOFT_FAIL</revocation>                                    | level=verify revocation=soft-fail",
        "<revocation>Off</revocation>                                          | level=verify revocation=off",
        "<level>verify</level><revocation>required</revocation>                | level=verify",
        "<level>fingerprint</level><pin of='spki'>" + HEX + "</pin><subjectCn>mx.a.example</subjectCn><minCipherBits>256</minCipherBits>"
            + "<acceptServerAuthOnly>true</acceptServerAuthOnly><minRsaBits>3072</minRsaBits><minEcBits>384</minEcBits>"
            + " | level=fingerprint minCipherBits=256 identity=[subject CN mx.a.example] pins=[spki:sha256:" + HEX + "] acceptServerAuthOnly=true"
            + " minRsaBits=3072 minEcBits=384",
    })
    void certificateChecksOfARule(String elements, String rule) throws PolicyConfigurationException {
        assertThat(read("<default>" + elements + "</default>").defaultRule()).hasToString(rule + FAILURE_DEFAULTS);
    }

    @Test
    void relayGrantsAreReadInOrder() throws PolicyConfigurationException {
        InboundPolicy policy = HandlerXml.read("<default><level>encrypt</level></default>"
            + "<relay>"
            + "  <certificate>"
            + "    <issuerDn>CN=Partner CA,O=Partner</issuerDn>"
            + "    <subjectCn match='glob'>*.partner.example</subjectCn>"
            + "    <authenticateAs>relay@partner.example</authenticateAs>"
            + "  </certificate>"
            + "  <!-- pins only -->"
            + "  <certificate><pin of='spki'>" + HEX + "</pin><pin of='certificate'>" + BASE64 + "</pin></certificate>"
            + "  <certificate><authenticateAs> backup </authenticateAs><dnsName>backup.example</dnsName></certificate>"
            + "</relay>", location -> Path.of(location), java.time.Clock.systemUTC());
        assertThat(policy.relayGrants()).extracting(Object::toString).containsExactly(
            "relay[subject CN glob:*.partner.example; issuer DN CN=Partner CA,O=Partner; as relay@partner.example]",
            "relay[spki:sha256:" + HEX + "; certificate:sha256:" + HEX + "]",
            "relay[subjectAltName DNS name backup.example; as backup]");
        assertThat(policy.verification()).isEmpty();
    }

    /** The sample James configuration of this repository; James hands each handler its own element, as configurationsAt does. */
    @Test
    void readsEveryGateHandlerOfTheShippedSample() throws Exception {
        XMLConfiguration sample = HandlerXml.parse(Files.readString(Path.of("../conf-samples/inbound-gate/smtpserver.xml")));
        List<HierarchicalConfiguration<ImmutableNode>> gates = sample.configurationsAt("smtpserver.handlerchain.handler").stream()
            .filter(handler -> "io.tlsgate.smtp.InboundTlsGate".equals(handler.getString("[@class]")))
            .collect(Collectors.toList());
        assertThat(gates).isNotEmpty();
        int fromFiles = 0;
        for (HierarchicalConfiguration<ImmutableNode> gate : gates) {
            Optional<String> file = PolicyFile.handlerSource(gate).location();
            PeerTable<TlsRequirement> rules;
            if (file.isPresent()) {
                // file://conf/x is the sample's own x
                Path path = Path.of("../conf-samples/inbound-gate", file.get().replaceFirst("^file://conf/", ""));
                FileResolver sampleFiles = location -> Path.of("../conf-samples/inbound-gate", location.replaceFirst("^file://conf/", ""));
                rules = PolicyFile.readInbound(path, sampleFiles, java.time.Clock.systemUTC()).policy().rules();
                // The TLS_Clt: entries of conf/sendmail-access, which the policy file names, are rules too.
                assertThat(rules.lookup(Optional.empty(), InetAddresses.forString("127.0.0.44").getAddress()).rule().minCipherBits())
                    .isEqualTo(256);
                fromFiles++;
            } else {
                rules = InboundPolicyReader.read(gate);
            }
            assertThat(rules.defaultRule().requiresTls()).isTrue();
        }
        assertThat(fromFiles).as("the MX listener reads tlsgate-policy.xml").isEqualTo(1);
    }

    private static Match<TlsRequirement> lookup(String hostName, String address) {
        return TABLE.lookup(Optional.ofNullable(hostName), InetAddresses.forString(address).getAddress());
    }

    private static PeerTable<TlsRequirement> readUnchecked(String rules) {
        try {
            return read(rules);
        } catch (PolicyConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
