package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates;
import io.tlsgate.pki.TestRevocations.Crl;

/**
 * Every configuration set of conf-samples/ reads with the readers the extension uses: each XML file is well-formed,
 * each gate handler (smtpserver.xml, tlsgate-listeners.xml) reads its rules, inline or from its policy file, and each
 * relay mailet (mailetcontainer.xml) reads its policy file. Key material named by the sets (conf/tls/...) is not in
 * the repository: stand-ins are generated (a CA certificate for .pem/.crt, its CRL for .crl).
 */
class ConfSamplesTest {
    private static final Path SAMPLES = Path.of("../conf-samples");
    private static final String GATE = "io.tlsgate.smtp.InboundTlsGate";
    private static final String RELAY = "io.tlsgate.delivery.TlsRemoteDelivery";

    @TempDir
    static Path keys;
    private static Path caPem;
    private static Path crl;

    @BeforeAll
    static void keyMaterial() {
        TestCertificates.Authority ca = TestCertificates.Authority.root("CN=Sample CA,O=TLS Gate Tests", TestCertificates.ecKey("secp256r1"));
        caPem = TestCertificates.writePem(keys.resolve("ca.pem"), ca.certificate);
        crl = keys.resolve("ca.crl");
        Crl.of(ca).writeTo(crl, TestCertificates.T);
    }

    static Stream<String> sets() throws IOException {
        try (Stream<Path> dirs = Files.list(SAMPLES)) {
            List<String> names = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().collect(Collectors.toList());
            assertThat(names).contains("inbound-gate", "mx-partners", "submission-certificates", "secure-relay", "sendmail-migration");
            return names.stream();
        }
    }

    /** file://conf/x is the set's own x; file://conf/tls/... is generated key material. */
    private static FileResolver resolver(Path set) {
        return location -> {
            String relative = location.replaceFirst("^file://conf/", "");
            if (relative.startsWith("tls/")) {
                return relative.endsWith(".crl") ? crl : caPem;
            }
            return set.resolve(relative);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void everyXmlFileIsWellFormed(String name) throws Exception {
        Path set = SAMPLES.resolve(name);
        List<Path> xml;
        try (Stream<Path> files = Files.list(set)) {
            xml = files.filter(f -> f.toString().endsWith(".xml")).collect(Collectors.toList());
        }
        assertThat(xml).extracting(f -> f.getFileName().toString())
            .contains("smtpserver.xml", "mailetcontainer.xml", "domainlist.xml", "usersrepository.xml", "mailrepositorystore.xml");
        for (Path file : xml) {
            assertThat(HandlerXml.parse(Files.readString(file))).as(file.toString()).isNotNull();
        }
        assertThat(set.resolve("README.md")).as("every new set explains its key material").satisfiesAnyOf(
            readme -> assertThat(readme).exists(), readme -> assertThat(name).isEqualTo("inbound-gate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void everyGateHandlerReadsItsRules(String name) throws Exception {
        Path set = SAMPLES.resolve(name);
        List<HierarchicalConfiguration<ImmutableNode>> gates = new ArrayList<>();
        int listeners = 0;
        for (String file : List.of("smtpserver.xml", "tlsgate-listeners.xml")) {
            if (!Files.exists(set.resolve(file))) {
                continue;
            }
            XMLConfiguration xml = HandlerXml.parse(Files.readString(set.resolve(file)));
            for (HierarchicalConfiguration<ImmutableNode> server : xml.configurationsAt("smtpserver")) {
                listeners++;
                List<HierarchicalConfiguration<ImmutableNode>> chain = server.configurationsAt("handlerchain.handler").stream()
                    .filter(handler -> GATE.equals(handler.getString("[@class]")))
                    .collect(Collectors.toList());
                assertThat(chain).as("%s %s: the gate in the chain", file, server.getString("jmxName")).hasSize(1);
                gates.addAll(chain);
            }
        }
        assertThat(listeners).as("listeners of %s", name).isPositive();
        if (Files.exists(set.resolve("tlsgate-listeners.xml"))) {
            assertThat(Files.readString(set.resolve("extensions.properties")))
                .contains("guice.extension.startable=io.tlsgate.smtp.ClientCertificateListeners");
        }
        for (HierarchicalConfiguration<ImmutableNode> gate : gates) {
            Optional<String> file = PolicyFile.handlerSource(gate).location();
            InboundPolicy policy = file.isPresent()
                ? PolicyFile.readInbound(resolver(set).resolve(file.get()), resolver(set), Clock.systemUTC()).policy()
                : InboundPolicyReader.read(gate, resolver(set), Clock.systemUTC());
            assertThat(policy.rules().defaultRule()).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void theRelayMailetReplacesRemoteDeliveryAndReadsItsPolicy(String name) throws Exception {
        Path set = SAMPLES.resolve(name);
        XMLConfiguration container = HandlerXml.parse(Files.readString(set.resolve("mailetcontainer.xml")));
        List<HierarchicalConfiguration<ImmutableNode>> mailets = container.configurationsAt("processors.processor.mailet");
        assertThat(mailets).extracting(m -> m.getString("[@class]")).doesNotContain("RemoteDelivery").contains(RELAY);
        for (HierarchicalConfiguration<ImmutableNode> mailet : mailets) {
            if (RELAY.equals(mailet.getString("[@class]"))) {
                String policy = mailet.getString("policy");
                assertThat(policy).as("the relay's <policy>").isNotNull();
                OutboundPolicy outbound = PolicyFile.readOutbound(resolver(set).resolve(policy), resolver(set), Clock.systemUTC()).policy();
                assertThat(outbound).isNotNull();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theSendmailMigrationSetReadsItsAccessFileOnBothSides() throws Exception {
        Path set = SAMPLES.resolve("sendmail-migration");
        Path policy = set.resolve("tlsgate-policy.xml");
        LoadedPolicy<InboundPolicy> loadedInbound = PolicyFile.readInbound(policy, resolver(set), Clock.systemUTC());
        LoadedPolicy<OutboundPolicy> loadedOutbound = PolicyFile.readOutbound(policy, resolver(set), Clock.systemUTC());
        InboundPolicy inbound = loadedInbound.policy();
        // Both sides watch the access file with the policy file (an edit of either reloads).
        assertThat(loadedInbound.files().keySet()).extracting(f -> f.getFileName().toString()).contains("access");
        assertThat(loadedOutbound.files().keySet()).extracting(f -> f.getFileName().toString()).contains("access");
        // CertIssuer:/O=Partners/CN=Partner+20CA RELAY
        assertThat(inbound.relayGrants()).hasSize(1);
    }
}
