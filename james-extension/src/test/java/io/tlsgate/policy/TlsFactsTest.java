package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.certificate;
import static io.tlsgate.policy.Fixtures.plaintext;
import static io.tlsgate.policy.Fixtures.tls;
import static io.tlsgate.policy.Fixtures.tlsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.tlsgate.policy.CertificateStatus.Outcome;

class TlsFactsTest {
    private static final PeerCertificate PARTNER = certificate("CN=mx.partner.example,O=Partner", "mx.partner.example");

    @Test
    void withoutTlsThereIsNothingToCheck() {
        TlsFacts facts = plaintext();
        assertThat(facts).extracting(TlsFacts::tlsActive, TlsFacts::protocolName, TlsFacts::cipherSuiteName, TlsFacts::protocol,
                TlsFacts::cipherSuite, TlsFacts::effectiveBits, TlsFacts::peerChain, TlsFacts::summary)
            .containsExactly(false, "", "", Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of(), "no TLS");
        assertThat(facts.certificateStatus().outcome()).isEqualTo(Outcome.NONE);
    }

    @Test
    void aTlsSessionWithoutAChainHasNoCertificate() {
        assertThat(tls("TLSv1.3", "TLS_AES_128_GCM_SHA256").certificateStatus()).isSameAs(CertificateStatus.noCertificate());
    }

    @Test
    void aChainNeedsAVerificationOutcome() {
        TlsFacts.Builder builder = TlsFacts.builder(Direction.INBOUND, "192.0.2.1").tls("TLSv1.3", "TLS_AES_128_GCM_SHA256")
            .peerChain(List.of(PARTNER));
        assertThatThrownBy(builder::build).isExactlyInstanceOf(NullPointerException.class)
            .hasMessage("certificateStatus is required when a peer chain is present");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "TLSv1.3 | TLS_AES_256_GCM_SHA384            | TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits verify=NO",
        "TLSv1.2 | SSL_RSA_WITH_3DES_EDE_CBC_SHA     | TLSv1.2 SSL_RSA_WITH_3DES_EDE_CBC_SHA 112 bits verify=NO",
        "NONE    | SSL_NULL_WITH_NULL_NULL           | NONE SSL_NULL_WITH_NULL_NULL unknown strength verify=NO",
    })
    void summarisesWhatWasNegotiated(String protocol, String suite, String summary) {
        assertThat(tls(protocol, suite).summary()).isEqualTo(summary);
    }

    @Test
    void thePeersOwnCertificateComesFirst() {
        PeerCertificate ca = certificate(Fixtures.PARTNER_CA);
        TlsFacts facts = tlsWith(CertificateStatus.ok("chains to Partner CA"), PARTNER, ca);
        assertThat(facts.peerCertificate()).containsSame(PARTNER);
        assertThat(facts.peerChain()).containsExactly(PARTNER, ca);
        assertThat(facts).hasToString("inbound peer=192.0.2.1 TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits verify=OK"
            + " cert[subject=CN=mx.partner.example,O=Partner issuer=CN=Partner CA,O=Partner dns=[mx.partner.example]]");
    }

    @Test
    void showsATrustedPeerName() {
        TlsFacts facts = TlsFacts.builder(Direction.OUTBOUND, "2001:db8::25").peerName("mx.partner.example").build();
        assertThat(facts).hasToString("outbound peer=2001:db8::25(mx.partner.example) no TLS");
    }
}
