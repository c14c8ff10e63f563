package io.tlsgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.TlsRequirement.Failure;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * Sendmail's TLS_Rcpt and TLS_Srv both apply: the recipient side's entry (recipient, local part, domain) and the
 * server side's entry (MX host, address) are both met; one side's entry alone decides; the default only when neither
 * side has an entry; an MX at level none (Try_TLS NO) is never sent STARTTLS.
 */
class BothSidesTest {
    private static final String MX = "mx.x.test";
    private static final String AES_128 = "TLS_AES_128_GCM_SHA256";
    private static final String AES_256 = "TLS_AES_256_GCM_SHA384";
    private static final PeerCertificate MX_CERT = Fixtures.certificate("CN=mx.x.test,O=X", "mx.x.test", "x.test");

    private static TlsRequirement level(Level level) {
        return TlsRequirement.builder().missingTls(Failure.TEMPORARY).level(level).build();
    }

    private static TlsRequirement encrypt(int bits, Failure failure) {
        return TlsRequirement.builder().missingTls(failure).failure(failure).level(Level.ENCRYPT).minCipherBits(bits).build();
    }

    private static TlsRequirement verify(Failure failure) {
        return TlsRequirement.builder().missingTls(failure).failure(failure).level(Level.VERIFY).build();
    }

    private static TlsFacts plaintext() {
        return TlsFacts.builder(Direction.OUTBOUND, "192.0.2.25").peerName(MX).build();
    }

    private static TlsFacts tls(String suite, CertificateStatus status) {
        return TlsFacts.builder(Direction.OUTBOUND, "192.0.2.25").peerName(MX).tls("TLSv1.3", suite)
            .peerChain(List.of(MX_CERT)).certificateStatus(status).build();
    }

    private static final CertificateStatus TRUSTED = CertificateStatus.ok("chain to CN=Root");
    private static final CertificateStatus UNTRUSTED = CertificateStatus.failed("no chain to a trust anchor");
    private static final CertificateStatus UNCHECKED = CertificateStatus.temporaryFailure("OCSP responder unreachable");

    private static final TlsRequirement DEFAULT = level(Level.MAY);
    private static final CombinedRequirement.Part DEFAULT_PART = new CombinedRequirement.Part("default", DEFAULT);

    private static Optional<CombinedRequirement.Part> rcpt(TlsRequirement r) {
        return Optional.ofNullable(r).map(x -> new CombinedRequirement.Part("domain x.test", x));
    }

    private static Optional<CombinedRequirement.Part> srv(TlsRequirement r) {
        return Optional.ofNullable(r).map(x -> new CombinedRequirement.Part("mx mx.x.test", x));
    }

    /** recipient side, server side (null: no entry), facts, tries STARTTLS, expected verdict ("accept" or its text). */
    static Stream<Arguments> cases() {
        return Stream.of(
            // (a) one side alone decides, as before
            Arguments.of("domain only, met", encrypt(128, Failure.TEMPORARY), null, tls(AES_128, UNTRUSTED), true, "accept"),
            Arguments.of("mx only, refused", null, verify(Failure.TEMPORARY), tls(AES_256, UNTRUSTED), true,
                "refuse(certificate-untrusted): 454 4.7.0 certificate not trusted: no chain to a trust anchor"),
            Arguments.of("domain none exempts from the default", level(Level.NONE), null, plaintext(), false, "accept"),
            Arguments.of("mx none exempts from the default", null, level(Level.NONE), plaintext(), false, "accept"),
            Arguments.of("neither: the default", null, null, plaintext(), true, "accept"),
            // (b) both sides: both must pass
            Arguments.of("domain encrypt + mx verify, untrusted MX", encrypt(0, Failure.TEMPORARY), verify(Failure.TEMPORARY),
                tls(AES_256, UNTRUSTED), true,
                "refuse(certificate-untrusted): 454 4.7.0 rule mx mx.x.test: certificate not trusted: no chain to a trust anchor"),
            Arguments.of("domain encrypt + mx verify, trusted MX", encrypt(0, Failure.TEMPORARY), verify(Failure.TEMPORARY),
                tls(AES_256, TRUSTED), true, "accept"),
            Arguments.of("domain ENCR:256 + mx VERIFY, 128 bits: the higher floor", encrypt(256, Failure.TEMPORARY),
                verify(Failure.TEMPORARY), tls(AES_128, TRUSTED), true,
                "refuse(cipher-too-weak): 454 4.7.0 rule domain x.test: encryption too weak: 128 bits, 256 required"),
            Arguments.of("mx ENCR:256 + domain verify, 128 bits", verify(Failure.TEMPORARY), encrypt(256, Failure.TEMPORARY),
                tls(AES_128, TRUSTED), true,
                "refuse(cipher-too-weak): 454 4.7.0 rule mx mx.x.test: encryption too weak: 128 bits, 256 required"),
            Arguments.of("domain none does not exempt from an mx requirement", level(Level.NONE), verify(Failure.TEMPORARY),
                tls(AES_256, UNTRUSTED), true,
                "refuse(certificate-untrusted): 454 4.7.0 rule mx mx.x.test: certificate not trusted: no chain to a trust anchor"),
            Arguments.of("domain may + mx encrypt, plaintext", level(Level.MAY), encrypt(0, Failure.PERMANENT), plaintext(), true,
                "refuse(tls-missing): 530 5.7.0 rule mx mx.x.test: the server does not offer STARTTLS"),
            Arguments.of("mx none (Try_TLS NO) + domain encrypt: STARTTLS not tried, refused", encrypt(0, Failure.TEMPORARY),
                level(Level.NONE), plaintext(), false,
                "refuse(tls-missing): 454 4.7.0 rule domain x.test: TLS required, but STARTTLS is never tried with this server"
                    + " (mx mx.x.test is level none)"),
            Arguments.of("mx none + domain may: plaintext, no STARTTLS", level(Level.MAY), level(Level.NONE), plaintext(), false,
                "accept"),
            // permanence: a permanent refusal of either side wins over a temporary one of the other
            Arguments.of("temporary domain refusal, permanent mx refusal", encrypt(256, Failure.TEMPORARY),
                verify(Failure.PERMANENT), tls(AES_128, UNTRUSTED), true,
                "refuse(certificate-untrusted): 554 5.7.0 rule mx mx.x.test: certificate not trusted: no chain to a trust anchor"),
            Arguments.of("both temporary: the recipient side's reason", encrypt(256, Failure.TEMPORARY),
                verify(Failure.TEMPORARY), tls(AES_128, UNCHECKED), true,
                "refuse(cipher-too-weak): 454 4.7.0 rule domain x.test: encryption too weak: 128 bits, 256 required"),
            Arguments.of("an unchecked certificate stays temporary under a permanent rule", verify(Failure.PERMANENT),
                encrypt(128, Failure.PERMANENT), tls(AES_256, UNCHECKED), true,
                "refuse(certificate-unchecked): 454 4.7.0 rule domain x.test: certificate could not be checked: OCSP responder unreachable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothSidesApply(String name, TlsRequirement recipientSide, TlsRequirement serverSide, TlsFacts facts,
                        boolean triesStartTls, String verdict) {
        CombinedRequirement combined = CombinedRequirement.of(rcpt(recipientSide), srv(serverSide), DEFAULT_PART);
        assertThat(combined.triesStartTls()).as("STARTTLS tried").isEqualTo(triesStartTls);
        assertThat(combined.evaluate(r -> facts).verdict()).hasToString(verdict);
    }

    @Test
    void eachRequirementJudgesItsOwnFacts() {
        // e.g. level secure checks the certificate against the domain, level verify against the MX host
        TlsRequirement rcpt = verify(Failure.TEMPORARY);
        TlsRequirement srv = verify(Failure.PERMANENT);
        CombinedRequirement combined = CombinedRequirement.of(rcpt(rcpt), srv(srv), DEFAULT_PART);
        CombinedRequirement.Decision decision = combined.evaluate(r -> r == rcpt ? tls(AES_256, TRUSTED) : tls(AES_256, UNTRUSTED));
        assertThat(decision.decidedBy().rule()).isEqualTo("mx mx.x.test");
        assertThat(decision.verdict().temporary()).isFalse();
    }

    @Test
    void tableGivesBothSidesAndTheDefaultOnlyWhenNeitherHasAnEntry() throws UnknownHostException {
        DestinationTable<String> table = DestinationTable.builder("default")
            .domain("x.test", "domain").recipient("ceo@x.test", "ceo").localPart("postmaster@", "postmaster")
            .mxHost("mx.x.test", "mx").mxAddress(AddressBlock.of(InetAddress.getByName("198.51.100.0").getAddress(), 24, "198.51.100.0/24"), "block").build();
        byte[] other = InetAddress.getByName("203.0.113.1").getAddress();
        byte[] block = InetAddress.getByName("198.51.100.7").getAddress();
        assertThat(table.rules("a@x.test", "x.test", Optional.of("mx.x.test"), other)).hasToString("domain x.test + mx mx.x.test");
        assertThat(table.rules("ceo@x.test", "x.test", Optional.of("mx.x.test"), other)).hasToString("recipient ceo@x.test + mx mx.x.test");
        assertThat(table.rules("postmaster@y.test", "y.test", Optional.of("mx.y.test"), block))
            .hasToString("local-part postmaster@ + mx 198.51.100.0/24");
        assertThat(table.rules("a@y.test", "y.test", Optional.of("mx.y.test"), block)).hasToString("mx 198.51.100.0/24");
        assertThat(table.rules("a@x.test", "x.test", Optional.of("mx.y.test"), other)).hasToString("domain x.test");
        assertThat(table.rules("a@y.test", "y.test", Optional.of("mx.y.test"), other)).hasToString("default");
        assertThat(table.rules("a@x.test", "x.test", Optional.of("mx.x.test"), other).applying())
            .extracting(DestinationTable.Match::rule).containsExactly("domain", "mx");
        assertThat(table.lookup("a@x.test", "x.test", Optional.of("mx.x.test"), other).rule()).as("the first applying rule")
            .isEqualTo("domain");
    }

    @Test
    void fromATable() {
        DestinationTable<TlsRequirement> table = DestinationTable.builder(DEFAULT)
            .domain("x.test", encrypt(256, Failure.TEMPORARY)).mxHost("mx.x.test", verify(Failure.TEMPORARY)).build();
        CombinedRequirement combined = CombinedRequirement.of(table.rules("a@x.test", "x.test", Optional.of(MX), new byte[4]), r -> r);
        assertThat(combined).hasToString("domain x.test + mx mx.x.test");
        assertThat(combined.evaluate(r -> tls(AES_128, TRUSTED)).verdict().text())
            .isEqualTo("rule domain x.test: encryption too weak: 128 bits, 256 required");
        CombinedRequirement tryTlsNo = CombinedRequirement.of(DestinationTable.builder(DEFAULT)
            .domain("x.test", encrypt(0, Failure.TEMPORARY)).mxHost("mx.x.test", level(Level.NONE)).build()
            .rules("a@x.test", "x.test", Optional.of(MX), new byte[4]), r -> r);
        assertThat(tryTlsNo.triesStartTls()).isFalse();
        assertThat(tryTlsNo.requiresTls()).isTrue();
    }
}
