package io.tlsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.tlsgate.pki.TestCertificates;
import io.tlsgate.policy.TlsRequirement;

/** The shared policy file (root tlsgate), the outbound file, and the handler's choice between inline rules and a file. */
class PolicyFileTest {
    private static final Clock CLOCK = Clock.systemUTC();
    private static final String INBOUND = "<inbound><default><level>encrypt</level><minCipherBits>128</minCipherBits></default>"
        + "<client peer='192.0.2.7'><level>none</level></client></inbound>";
    private static final String OUTBOUND = "<outbound><default><level>may</level></default>"
        + "<destination domain='partner.example'><level>encrypt</level><failure>permanent</failure></destination></outbound>";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), "<?xml version=\"1.0\"?>\n" + content + "\n");
    }

    private static FileResolver files() {
        return location -> Path.of(location);
    }

    private static PolicyConfigurationException inboundError(Path file) {
        return catchThrowableOfType(() -> PolicyFile.readInbound(file, files(), CLOCK), PolicyConfigurationException.class);
    }

    private static PolicyConfigurationException outboundError(Path file) {
        return catchThrowableOfType(() -> PolicyFile.readOutbound(file, files(), CLOCK), PolicyConfigurationException.class);
    }

    @Test
    void bothDirectionsComeFromOneFile() throws Exception {
        Path file = write("tlsgate-policy.xml", "<tlsgate>" + INBOUND + OUTBOUND + "</tlsgate>");
        LoadedPolicy<InboundPolicy> inbound = PolicyFile.readInbound(file, files(), CLOCK);
        LoadedPolicy<OutboundPolicy> outbound = PolicyFile.readOutbound(file, files(), CLOCK);
        assertThat(inbound.policy().rules().defaultRule().minCipherBits()).isEqualTo(128);
        assertThat(inbound.policy().rules().lookup(Optional.empty(), InetAddress.getByName("192.0.2.7").getAddress()).rule().level())
            .isEqualTo(TlsRequirement.Level.NONE);
        assertThat(outbound.policy().rules().lookup("bob@partner.example", "partner.example", Optional.of("mx.partner.example"),
            new byte[] {(byte) 192, 0, 2, 1}).rule().requirement().failure()).isEqualTo(TlsRequirement.Failure.PERMANENT);
        assertThat(inbound.files()).containsOnlyKeys(file);
        assertThat(inbound.files().get(file)).isEqualTo(FileFingerprint.of(file)).hasSize(64);
        assertThat(outbound.files()).isEqualTo(inbound.files());
    }

    /** An access file the policy imports is watched with it: an edit of the access file alone reloads the policy. */
    @Test
    void anImportedAccessFileIsOneOfThePolicysFiles() throws Exception {
        Path access = dir.resolve("access");
        Files.writeString(access, "TLS_Clt:192.0.2.7\tENCR:128\nTLS_Rcpt:partner.example\tPERM+ENCR:128\n");
        Path file = write("tlsgate-policy.xml", "<tlsgate><inbound><accessFile>" + access + "</accessFile>"
            + "<default><level>none</level></default></inbound>"
            + "<outbound><accessFile>" + access + "</accessFile><default><level>may</level></default></outbound></tlsgate>");
        LoadedPolicy<InboundPolicy> inbound = PolicyFile.readInbound(file, files(), CLOCK);
        LoadedPolicy<OutboundPolicy> outbound = PolicyFile.readOutbound(file, files(), CLOCK);
        assertThat(inbound.files()).containsOnlyKeys(file, access);
        assertThat(inbound.files().get(access)).isEqualTo(FileFingerprint.of(access));
        assertThat(outbound.files()).isEqualTo(inbound.files());
        assertThat(inbound.policy().rules().lookup(Optional.empty(), InetAddress.getByName("192.0.2.7").getAddress()).rule().minCipherBits())
            .isEqualTo(128);

        ReloadingPolicy<InboundPolicy> reloading = ReloadingPolicy.load("inbound policy", () -> PolicyFile.readInbound(file, files(), CLOCK),
            Object::toString);
        Files.writeString(access, "TLS_Clt:192.0.2.7\tENCR:256\n");
        reloading.check();
        assertThat(reloading.get().rules().lookup(Optional.empty(), InetAddress.getByName("192.0.2.7").getAddress()).rule().minCipherBits())
            .isEqualTo(256);
    }

    /** Replacing a trust anchor file (a compromised CA taken out) reloads the policy as an edit of the rules does. */
    @Test
    void theFilesAPolicyNamesAreWatchedWithIt() throws Exception {
        Path anchors = TestCertificates.writePem(dir.resolve("ca.pem"),
            TestCertificates.Authority.root("CN=First CA", TestCertificates.ecKey("secp256r1")).certificate);
        Path file = write("out.xml", "<outbound><verification><trustAnchors>" + anchors + "</trustAnchors></verification>"
            + "<default><level>verify</level></default></outbound>");
        ReloadingPolicy<OutboundPolicy> reloading = ReloadingPolicy.load("outbound policy", () -> PolicyFile.readOutbound(file, files(), CLOCK),
            Object::toString);
        assertThat(reloading.files()).containsOnlyKeys(file, anchors);
        assertThat(reloading.files().get(anchors)).isEqualTo(FileFingerprint.of(anchors));
        OutboundPolicy before = reloading.get();

        TestCertificates.writePem(anchors, TestCertificates.Authority.root("CN=Second CA", TestCertificates.ecKey("secp256r1")).certificate);
        assertThat(reloading.check()).isTrue();
        assertThat(reloading.get()).isNotSameAs(before);
        assertThat(reloading.files().get(anchors)).isEqualTo(FileFingerprint.of(anchors));
        assertThat(reloading.check()).as("nothing changed since").isFalse();
    }

    /** A DOCTYPE could pull other files or URLs into the policy (unwatched, at every reload): refused. */
    @Test
    void aDoctypeIsRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "verify");
        Path file = write("out.xml", "<!DOCTYPE outbound [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
            + "<outbound><default><level>&x;</level></default></outbound>");
        PolicyConfigurationException error = outboundError(file);
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("is not well-formed XML").contains("DOCTYPE");
    }

    @Test
    void anOutboundFileAndAnInboundFileStillRead() throws Exception {
        assertThat(PolicyFile.readOutbound(write("out.xml", OUTBOUND), files(), CLOCK).policy().rules().size()).isEqualTo(1);
        assertThat(PolicyFile.readInbound(write("in.xml", INBOUND), files(), CLOCK).policy().rules().size()).isEqualTo(1);
    }

    @Test
    void aMissingSectionIsNamed() throws Exception {
        Path file = write("p.xml", "<tlsgate>" + OUTBOUND + "</tlsgate>");
        assertThat(inboundError(file)).hasMessage("TLS Gate configuration error in " + file + " <tlsgate>: has no <inbound> section:"
            + " write the inbound rules (what the handler element would hold inline) in <inbound>...</inbound>");
        Path other = write("q.xml", "<tlsgate>" + INBOUND + "</tlsgate>");
        assertThat(outboundError(other).getMessage()).endsWith(other + " <tlsgate>: has no <outbound> section: write the outbound rules"
            + " in <outbound>...</outbound>");
    }

    @Test
    void aWrongRootIsNamed() throws Exception {
        Path file = write("p.xml", "<smtpservers/>");
        assertThat(inboundError(file).getMessage()).endsWith(file + ": is not an inbound policy: its root element is <smtpservers>,"
            + " expected <inbound> or <tlsgate>");
        assertThat(outboundError(file).getMessage()).endsWith(file + ": is not an outbound policy: its root element is <smtpservers>,"
            + " expected <outbound> or <tlsgate>");
        assertThat(outboundError(write("i.xml", INBOUND)).getMessage()).contains("its root element is <inbound>, expected <outbound>");
    }

    @Test
    void unknownAndRepeatedSectionsAreRefused() throws Exception {
        Path typo = write("p.xml", "<tlsgate>" + INBOUND + "<outbund/></tlsgate>");
        assertThat(inboundError(typo).getMessage()).endsWith(typo + " <tlsgate> <outbund>: unknown element; did you mean <outbound>?"
            + " (allowed here: inbound, outbound)");
        Path twice = write("q.xml", "<tlsgate>" + INBOUND + INBOUND + "</tlsgate>");
        assertThat(inboundError(twice).getMessage()).endsWith(twice + " <tlsgate> <inbound>: is given twice; keep one");
    }

    @Test
    void errorsInASectionNameTheFileAndTheElement() throws Exception {
        Path file = write("p.xml", "<tlsgate><inbound><default><level>encrypted</level></default></inbound>" + OUTBOUND + "</tlsgate>");
        assertThat(inboundError(file).location()).isEqualTo(file + " <tlsgate> <inbound> <default> <level>");
        assertThat(inboundError(file).problem()).startsWith("'encrypted' is not one of");
        assertThat(PolicyFile.readOutbound(file, files(), CLOCK).policy()).isNotNull();
    }

    @Test
    void brokenXmlIsReportedWithItsLine() throws Exception {
        Path file = write("p.xml", "<tlsgate>\n<inbound>\n<default>\n</inbound></tlsgate>");
        assertThat(inboundError(file).getMessage()).startsWith("TLS Gate configuration error in " + file + ": is not well-formed XML: ")
            .contains("is not well-formed XML: line 5, column 3: The element type \"default\" must be terminated");
        assertThat(inboundError(dir.resolve("absent.xml")).getMessage()).endsWith("absent.xml: does not exist");
    }

    @Test
    void theHandlerNamesAFileOrHoldsRules() throws Exception {
        PolicyFile.HandlerSource inline = PolicyFile.handlerSource(HandlerXml.parse(HandlerXml.HANDLER + "<default><level>none</level></default></handler>"));
        assertThat(inline.location()).isEmpty();
        PolicyFile.HandlerSource file = PolicyFile.handlerSource(HandlerXml.parse(HandlerXml.HANDLER
            + "<policy> file://conf/tlsgate-policy.xml </policy></handler>"));
        assertThat(file.location()).contains("file://conf/tlsgate-policy.xml");
        assertThat(file.reloadInterval()).isEqualTo(PolicyFile.DEFAULT_RELOAD_INTERVAL);
        assertThat(PolicyFile.handlerSource(HandlerXml.parse(HandlerXml.HANDLER
            + "<policy>file://conf/p.xml</policy><reloadInterval>0</reloadInterval></handler>")).reloadInterval()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<policy>file://conf/p.xml</policy><default><level>none</level></default>|<default>|cannot stand next to <policy>: the rules are"
            + " either inline in the handler or in the <policy> file, not both (move <default> into the <inbound> section of the file)",
        "<client peer='a.example'><level>none</level></client><policy>file://conf/p.xml</policy>|<client peer=\"a.example\">|cannot stand next to <policy>",
        "<policy>file://conf/p.xml</policy><policy>file://conf/q.xml</policy>|<policy>|is given twice; keep one",
        "<policy/>|<policy>|is empty",
        "<default><level>none</level></default><reloadInterval>5</reloadInterval>|<reloadInterval>|applies to a <policy> file only: rules"
            + " written inline in the handler are read once, at start-up",
        "<policy>file://conf/p.xml</policy><reloadInterval>often</reloadInterval>|<reloadInterval>|'often' is not a duration",
        "<policy>file://conf/p.xml</policy><reloadInterval>10 ms</reloadInterval>|<reloadInterval>|'10 ms' is too short",
    })
    void handlerErrors(String elements, String where, String problem) {
        PolicyConfigurationException e = catchThrowableOfType(() -> PolicyFile.handlerSource(HandlerXml.parse(HandlerXml.HANDLER + elements
            + "</handler>")), PolicyConfigurationException.class);
        assertThat(e.location()).isEqualTo(HandlerXml.HANDLER + " " + where);
        assertThat(e.problem()).startsWith(problem);
    }

    @ParameterizedTest
    @CsvSource({"5, PT5S", "5s, PT5S", "2 seconds, PT2S", "1 second, PT1S", "500 ms, PT0.5S", "1 minute, PT1M", "3m, PT3M", "0, PT0S"})
    void reloadIntervals(String text, String expected) throws Exception {
        assertThat(PolicyFile.reloadInterval(text)).isEqualTo(Duration.parse(expected));
        assertThat(PolicyFile.reloadInterval(null)).isEqualTo(PolicyFile.DEFAULT_RELOAD_INTERVAL);
    }
}
