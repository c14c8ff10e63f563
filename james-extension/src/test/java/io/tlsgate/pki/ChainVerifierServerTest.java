package io.tlsgate.pki;

import static io.tlsgate.pki.ChainVerifierTest.assertStatus;
import static io.tlsgate.pki.ChainVerifierTest.pin;
import static io.tlsgate.pki.ChainVerifierTest.pins;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.certificateSha256;
import static io.tlsgate.pki.TestCertificates.dns;
import static io.tlsgate.pki.TestCertificates.ecKey;
import static io.tlsgate.pki.TestCertificates.spkiSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates.Authority;
import io.tlsgate.pki.TestCertificates.Leaf;
import io.tlsgate.policy.CertificatePin;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CertificateStatus.Outcome;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * Server chains (outbound), judged at {@link TestCertificates#T}: the checks of {@link ChainVerifierTest} with the
 * serverAuth purpose instead of clientAuth, and the RFC 6125 name of the MX host (verify) or recipient domain (secure).
 */
class ChainVerifierServerTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final Authority ROOT = ChainVerifierTest.ROOT;
    private static final Authority ISSUING = ChainVerifierTest.ISSUING;
    private static final Authority OTHER_ROOT = ChainVerifierTest.OTHER_ROOT;
    private static final Authority UNKNOWN_ISSUING = ChainVerifierTest.UNKNOWN_ISSUING;

    private static final String MX_DN = "CN=mx.x.test,O=X";
    private static final String CHAIN_TO_ROOT = "chain to CN=Partner Root CA,O=Partner";
    private static final ServerName MX = ServerName.host("mx.x.test");
    private static final ServerName DOMAIN = ServerName.domain("x.test");
    private static final CertificateRequirement DEFAULTS = CertificateRequirement.defaults();

    private static final ChainVerifier VERIFIER = new ChainVerifier(TrustAnchorStore.of(List.of(ROOT.certificate)),
        RevocationChecker.disabled(), CLOCK);

    static Stream<Arguments> accepted() {
        X509Certificate viaIntermediate = ISSUING.issue(MX_DN).server(dns("mx.x.test")).build();
        return Stream.of(
            row("issued by the root, named in a SAN", List.of(server("mx.x.test")), MX),
            row("via an intermediate", List.of(viaIntermediate, ISSUING.certificate), MX),
            row("via an intermediate, root presented too", List.of(viaIntermediate, ISSUING.certificate, ROOT.certificate), MX),
            row("the MX name in another case, with a trailing dot", List.of(server("mx.x.test")), ServerName.host("MX.X.Test.")),
            row("the SAN in capitals", List.of(server("MX.X.TEST")), MX),
            row("the second of several SANs", List.of(server("www.x.test", "mx.x.test")), MX),
            row("a wildcard SAN", List.of(server("*.x.test")), MX),
            row("the common name, without any DNS SAN", List.of(ROOT.issue(MX_DN).server().build()), MX),
            row("an address literal in an IP address SAN", List.of(ROOT.issue(MX_DN).server(ip("192.0.2.25")).build()),
                ServerName.host("192.0.2.25")),
            // level secure: the recipient domain or a subdomain of it
            row("secure: a subdomain of the recipient domain", List.of(server("mx.x.test")), DOMAIN),
            row("secure: the recipient domain itself", List.of(server("x.test")), DOMAIN),
            row("secure: a wildcard under the recipient domain", List.of(server("*.x.test")), DOMAIN),
            // purposes
            row("serverAuth and clientAuth", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test"))
                .purposes(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth).build()), MX),
            row("no extendedKeyUsage", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).noExtendedKeyUsage().build()), MX),
            row("anyExtendedKeyUsage", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).purposes(KeyPurposeId.anyExtendedKeyUsage).build()), MX),
            row("no keyUsage", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).noKeyUsage().build()), MX),
            row("keyUsage digitalSignature only", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).keyUsage(KeyUsage.digitalSignature).build()), MX),
            row("keyUsage keyEncipherment only (RSA key exchange)",
                List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).keyUsage(KeyUsage.keyEncipherment).build()), MX),
            row("keyUsage keyAgreement only (static ECDH)",
                List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).keyUsage(KeyUsage.keyAgreement).build()), MX));
    }

    /** A server certificate needs serverAuth, not clientAuth: the rule's default (no serverAuth-only leniency) does not matter. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void accepted(String name, List<X509Certificate> chain, ServerName server) {
        assertStatus(VERIFIER.verifyServer(chain, Level.VERIFY, DEFAULTS, server), Outcome.OK, CHAIN_TO_ROOT);
    }

    static Stream<Arguments> refused() {
        X509Certificate self = Leaf.selfSigned(MX_DN, ecKey("secp256r1")).server(dns("mx.x.test")).build();
        X509Certificate wrongName = server("other.host.test");
        return Stream.of(
            // names
            fail("another name", List.of(wrongName), MX, "certificate names [other.host.test], not the MX host mx.x.test"),
            fail("several other names", List.of(server("x.test", "www.x.test")), MX,
                "certificate names [x.test, www.x.test], not the MX host mx.x.test"),
            fail("a parent domain of the MX", List.of(server("x.test")), MX, "certificate names [x.test], not the MX host mx.x.test"),
            fail("a wildcard two labels up", List.of(server("*.test")), MX, "certificate names [*.test], not the MX host mx.x.test"),
            fail("a wildcard for the level below", List.of(server("*.mx.x.test")), MX,
                "certificate names [*.mx.x.test], not the MX host mx.x.test"),
            fail("a partial wildcard", List.of(server("m*.x.test")), MX, "certificate names [m*.x.test], not the MX host mx.x.test"),
            fail("the common name is ignored beside a DNS SAN", List.of(ROOT.issue(MX_DN).server(dns("other.host.test")).build()), MX,
                "certificate names [other.host.test], not the MX host mx.x.test"),
            fail("a common name of another host", List.of(ROOT.issue("CN=other.host.test,O=X").server().build()), MX,
                "certificate names [other.host.test], not the MX host mx.x.test"),
            fail("no name at all", List.of(ROOT.issue("O=X").server().build()), MX, "certificate names [], not the MX host mx.x.test"),
            fail("an address literal, only DNS SANs", List.of(server("192.0.2.25")), ServerName.host("192.0.2.25"),
                "certificate names IP addresses [], not the MX host 192.0.2.25"),
            fail("an address literal, another IP address SAN", List.of(ROOT.issue(MX_DN).server(ip("192.0.2.26")).build()),
                ServerName.host("192.0.2.25"), "certificate names IP addresses [192.0.2.26], not the MX host 192.0.2.25"),
            fail("a host name, only an IP address SAN", List.of(ROOT.issue("O=X").server(ip("192.0.2.25")).build()), MX,
                "certificate names [], not the MX host mx.x.test"),
            fail("secure: a name outside the recipient domain", List.of(server("mx.hoster.test")), DOMAIN,
                "certificate names [mx.hoster.test], not the recipient domain x.test"),
            fail("secure: a name that only ends like the domain", List.of(server("mx.evilx.test")), DOMAIN,
                "certificate names [mx.evilx.test], not the recipient domain x.test"),
            fail("verify: the recipient domain is not the MX host", List.of(server("x.test")), ServerName.host("mx.x.test"),
                "certificate names [x.test], not the MX host mx.x.test"),
            // purposes
            fail("clientAuth only", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).purposes(KeyPurposeId.id_kp_clientAuth).build()), MX,
                "not a server certificate: extendedKeyUsage allows clientAuth only: " + MX_DN),
            fail("emailProtection and codeSigning",
                List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).purposes(KeyPurposeId.id_kp_emailProtection, KeyPurposeId.id_kp_codeSigning).build()),
                MX, "not a server certificate: extendedKeyUsage allows emailProtection, codeSigning only: " + MX_DN),
            fail("keyUsage for signing certificates only",
                List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).build()), MX,
                "keyUsage allows none of digitalSignature, keyEncipherment, keyAgreement: " + MX_DN),
            fail("keyUsage nonRepudiation only", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).keyUsage(KeyUsage.nonRepudiation).build()), MX,
                "keyUsage allows none of digitalSignature, keyEncipherment, keyAgreement: " + MX_DN),
            // dates
            fail("expired", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).valid(T.minus(Duration.ofDays(90)), T.minusSeconds(1)).build()), MX,
                "certificate expired on 2026-03-02T11:59:59Z: " + MX_DN),
            fail("not yet valid", List.of(ROOT.issue(MX_DN).server(dns("mx.x.test")).valid(T.plusSeconds(1), T.plus(Duration.ofDays(90))).build()),
                MX, "certificate not valid before 2026-03-02T12:00:01Z: " + MX_DN),
            // the path
            fail("self-signed", List.of(self), MX, "self-signed certificate " + MX_DN),
            fail("an untrusted root", List.of(OTHER_ROOT.issue(MX_DN).server(dns("mx.x.test")).build(), OTHER_ROOT.certificate), MX,
                "untrusted root CN=Other Root CA,O=Other"),
            fail("an unknown issuer", List.of(UNKNOWN_ISSUING.issue(MX_DN).server(dns("mx.x.test")).build()), MX,
                "unknown issuer CN=Unknown Issuing CA,O=Unknown"),
            fail("a missing intermediate", List.of(ISSUING.issue(MX_DN).server(dns("mx.x.test")).build()), MX,
                "unknown issuer CN=Partner Issuing CA,O=Partner"),
            // which check speaks first: dates, purpose, then the path, then the name
            fail("expired and another name: the date", List.of(ROOT.issue(MX_DN).server(dns("other.host.test"))
                .valid(T.minus(Duration.ofDays(90)), T.minus(Duration.ofDays(1))).build()), MX, "certificate expired on 2026-03-01T12:00:00Z: " + MX_DN),
            fail("clientAuth only and another name: the purpose",
                List.of(ROOT.issue(MX_DN).server(dns("other.host.test")).purposes(KeyPurposeId.id_kp_clientAuth).build()), MX,
                "not a server certificate: extendedKeyUsage allows clientAuth only: " + MX_DN),
            fail("untrusted and another name: the path", List.of(OTHER_ROOT.issue(MX_DN).server(dns("other.host.test")).build()), MX,
                "unknown issuer CN=Other Root CA,O=Other"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refused(String name, List<X509Certificate> chain, ServerName server, String reason) {
        assertStatus(VERIFIER.verifyServer(chain, Level.VERIFY, DEFAULTS, server), Outcome.FAIL, reason);
    }

    /** The inbound check of the same certificate wants clientAuth: the two purposes are not confused. */
    @Test
    void aServerCertificateIsNoClientCertificate() {
        X509Certificate serverOnly = server("mx.x.test");
        assertStatus(VERIFIER.verifyServer(List.of(serverOnly), Level.VERIFY, DEFAULTS, MX), Outcome.OK, CHAIN_TO_ROOT);
        assertStatus(VERIFIER.verify(List.of(serverOnly), Level.VERIFY, DEFAULTS), Outcome.FAIL,
            "not a client certificate: extendedKeyUsage allows serverAuth only (a rule may accept serverAuth-only certificates): " + MX_DN);
    }

    /** Level fingerprint: the pins replace the path and the name; the dates, key and purpose checks remain. */
    static Stream<Arguments> fingerprint() {
        KeyPair key = ecKey("secp256r1");
        X509Certificate self = Leaf.selfSigned("CN=other.host.test,O=X", key).server(dns("other.host.test")).build();
        CertificateRequirement keyPin = pins(pin(CertificatePin.Of.SPKI, spkiSha256(self)));
        return Stream.of(
            fingerprintRow("a pinned self-signed certificate of another name", List.of(self), keyPin, Outcome.OK, "pinned CN=other.host.test,O=X"),
            fingerprintRow("pinned by certificate", List.of(self), pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(self))), Outcome.OK,
                "pinned CN=other.host.test,O=X"),
            fingerprintRow("a pinned CA of an untrusted chain", List.of(OTHER_ROOT.issue(MX_DN).server(dns("mx.x.test")).build(), OTHER_ROOT.certificate),
                pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(OTHER_ROOT.certificate))), Outcome.OK, "pinned " + MX_DN),
            fingerprintRow("a trusted chain with the right name, not pinned", List.of(server("mx.x.test")), keyPin, Outcome.FAIL,
                "pin mismatch: no certificate of the chain matches a configured pin (leaf " + MX_DN + " spki:sha256:"
                    + spkiSha256(server("mx.x.test")) + ")"),
            fingerprintRow("pinned but expired", List.of(Leaf.selfSigned("CN=other.host.test,O=X", key).server(dns("other.host.test"))
                .valid(T.minus(Duration.ofDays(9)), T.minusSeconds(1)).build()), keyPin, Outcome.FAIL,
                "certificate expired on 2026-03-02T11:59:59Z: CN=other.host.test,O=X"),
            fingerprintRow("pinned but clientAuth only", List.of(Leaf.selfSigned("CN=other.host.test,O=X", key).server(dns("other.host.test"))
                .purposes(KeyPurposeId.id_kp_clientAuth).build()), keyPin, Outcome.FAIL,
                "not a server certificate: extendedKeyUsage allows clientAuth only: CN=other.host.test,O=X"),
            fingerprintRow("no pins at all", List.of(self), DEFAULTS, Outcome.FAIL,
                "level fingerprint without pins: nothing to compare the certificate with"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void fingerprint(String name, List<X509Certificate> chain, CertificateRequirement requirement, Outcome outcome, String detail) {
        assertStatus(VERIFIER.verifyServer(chain, Level.FINGERPRINT, requirement, MX), outcome, detail);
        assertStatus(ChainVerifier.withoutAnchors(CLOCK).verifyServer(chain, Level.FINGERPRINT, requirement, MX), outcome, detail);
    }

    /** Pins at level verify add to the path and the name; they replace neither. */
    @Test
    void pinsAtLevelVerifyStillNeedTheName() {
        X509Certificate wrongName = ROOT.issue(MX_DN, ecKey("secp256r1")).server(dns("other.host.test")).build();
        CertificateRequirement pinned = pins(pin(CertificatePin.Of.SPKI, spkiSha256(wrongName)));
        assertStatus(VERIFIER.verifyServer(List.of(wrongName), Level.VERIFY, pinned, MX), Outcome.FAIL,
            "certificate names [other.host.test], not the MX host mx.x.test");
        assertStatus(VERIFIER.verifyServer(List.of(wrongName), Level.VERIFY, pinned, ServerName.host("other.host.test")), Outcome.OK, CHAIN_TO_ROOT);
    }

    @Test
    void withoutAnchorsNoServerVerifies() {
        assertStatus(ChainVerifier.withoutAnchors(CLOCK).verifyServer(List.of(server("mx.x.test"), ROOT.certificate), Level.VERIFY, DEFAULTS, MX),
            Outcome.FAIL, "not verified: no trust anchors (configure <verification>)");
    }

    @Test
    void noCertificateIsNo() {
        assertStatus(VERIFIER.verifyServer(List.of(), Level.VERIFY, DEFAULTS, MX), Outcome.NO, "no certificate presented");
        assertStatus(VERIFIER.verifyServer(List.of(), Level.FINGERPRINT, DEFAULTS, MX), Outcome.NO, "no certificate presented");
    }

    /** One cache entry per name: a chain accepted for one MX host or domain is not thereby accepted for another. */
    @Test
    void theCacheKeepsNamesApart() {
        VerificationCache cache = new VerificationCache(VERIFIER, 100, Duration.ofMinutes(5), CLOCK);
        List<X509Certificate> chain = List.of(server("mx.x.test"));
        CertificateStatus forMx = cache.verifyServer(chain, Level.VERIFY, DEFAULTS, MX);
        CertificateStatus forOther = cache.verifyServer(chain, Level.VERIFY, DEFAULTS, ServerName.host("other.host.test"));
        CertificateStatus forDomain = cache.verifyServer(chain, Level.VERIFY, DEFAULTS, DOMAIN);
        CertificateStatus forHostNamedLikeTheDomain = cache.verifyServer(chain, Level.VERIFY, DEFAULTS, ServerName.host("x.test"));
        CertificateStatus asClient = cache.verify(chain, Level.VERIFY, DEFAULTS);
        assertStatus(forMx, Outcome.OK, CHAIN_TO_ROOT);
        assertStatus(forOther, Outcome.FAIL, "certificate names [mx.x.test], not the MX host other.host.test");
        assertStatus(forDomain, Outcome.OK, CHAIN_TO_ROOT);
        assertStatus(forHostNamedLikeTheDomain, Outcome.FAIL, "certificate names [mx.x.test], not the MX host x.test");
        assertStatus(asClient, Outcome.FAIL,
            "not a client certificate: extendedKeyUsage allows serverAuth only (a rule may accept serverAuth-only certificates): " + MX_DN);
        assertThat(cache.size()).isEqualTo(5);

        // Asked again, in any order, each name gets its own answer back from the cache.
        assertThat(cache.verifyServer(chain, Level.VERIFY, DEFAULTS, ServerName.host("x.test"))).isSameAs(forHostNamedLikeTheDomain);
        assertThat(cache.verifyServer(chain, Level.VERIFY, DEFAULTS, ServerName.host("other.host.test"))).isSameAs(forOther);
        assertThat(cache.verifyServer(chain, Level.VERIFY, DEFAULTS, ServerName.host("MX.X.TEST."))).as("the same name, written otherwise")
            .isSameAs(forMx);
        assertThat(cache.verifyServer(chain, Level.VERIFY, DEFAULTS, DOMAIN)).isSameAs(forDomain);
        assertThat(cache.verify(chain, Level.VERIFY, DEFAULTS)).isSameAs(asClient);
        assertThat(cache.size()).isEqualTo(5);
    }

    @Test
    void theCacheKeepsLevelsApart() {
        VerificationCache cache = new VerificationCache(VERIFIER, 100, Duration.ofMinutes(5), CLOCK);
        X509Certificate wrongName = server("other.host.test");
        CertificateRequirement pinned = pins(pin(CertificatePin.Of.CERTIFICATE, certificateSha256(wrongName)));
        assertStatus(cache.verifyServer(List.of(wrongName), Level.FINGERPRINT, pinned, MX), Outcome.OK, "pinned CN=mx.x.test,O=X");
        assertStatus(cache.verifyServer(List.of(wrongName), Level.VERIFY, pinned, MX), Outcome.FAIL,
            "certificate names [other.host.test], not the MX host mx.x.test");
        assertThat(cache.size()).isEqualTo(2);
    }

    /** A root-issued server certificate for the key every test leaf shares, with these DNS SANs. */
    private static X509Certificate server(String... dnsNames) {
        return ROOT.issue(MX_DN).server(Stream.of(dnsNames).map(TestCertificates::dns).toArray(GeneralName[]::new)).build();
    }

    private static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, address);
    }

    private static Arguments row(String name, List<X509Certificate> chain, ServerName server) {
        return Arguments.of(name, chain, server);
    }

    private static Arguments fail(String name, List<X509Certificate> chain, ServerName server, String reason) {
        return Arguments.of(name, chain, server, reason);
    }

    private static Arguments fingerprintRow(String name, List<X509Certificate> chain, CertificateRequirement requirement, Outcome outcome,
                                            String detail) {
        return Arguments.of(name, chain, requirement, outcome, detail);
    }
}
