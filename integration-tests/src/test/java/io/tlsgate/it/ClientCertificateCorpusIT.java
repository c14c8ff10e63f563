package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.pki.KeyType;
import io.tlsgate.demo.pki.LeafBuilder.Purpose;
import io.tlsgate.demo.pki.RevocationResponder;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * A corpus of client certificates generated with Bouncy Castle, each presented to a real TLS Gate listener that asks
 * for a certificate, over TLS 1.2 and TLS 1.3, with the SMTP reply asserted. Revocation is served over real HTTP
 * (CRL and OCSP) by a responder on loopback.
 */
class ClientCertificateCorpusIT {
    private static final String LISTENER = "tlsgate-corpus";
    private static final String STRICT = "127.0.0.30";
    private static final String SERVER_AUTH_OK = "127.0.0.31";
    private static final String SOFT_FAIL = "127.0.0.32";
    private static final String PINNED = "127.0.0.33";
    private static final String NAMED = "127.0.0.34";
    private static final String ACCEPTED = "250 2.1.0 Sender <sender@example.net> OK";
    private static final String UNTRUSTED = "554 5.7.0 certificate not trusted: ";

    private static RevocationResponder responder;
    private static DemoServer server;
    private static TlsOptions tls;
    private static final Map<String, IssuedCertificate> CERTIFICATES = new HashMap<>();
    private static CertificateAuthority root;
    private static CertificateAuthority issuing;
    private static URI downResponder;

    @BeforeAll
    static void start() throws Exception {
        responder = RevocationResponder.start();
        root = CertificateAuthority.create("CN=Corpus Root CA,O=TLS Gate Tests");
        issuing = root.intermediate("CN=Corpus Issuing CA,O=TLS Gate Tests");
        CertificateAuthority foreign = CertificateAuthority.create("CN=Foo CA,O=Elsewhere");
        responder.publish("root", root);
        responder.publish("issuing", issuing);
        URI issuingCrl = responder.crlUri("issuing");
        URI issuingOcsp = responder.ocspUri("issuing");
        downResponder = RevocationResponder.unreachable();
        Instant now = Instant.now();

        put("good", root.leaf("good.corpus.test").dnsNames("good.corpus.test").issue());
        put("good-ec", root.leaf("ec.corpus.test").key(KeyType.EC_P256).issue());
        put("good-via-intermediate", issuing.leaf("via.corpus.test").crlDistributionPoint(issuingCrl).issue());
        put("expired", root.leaf("expired.corpus.test").validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issue());
        put("not-yet-valid", root.leaf("future.corpus.test").validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issue());
        put("unknown-ca", foreign.leaf("foreign.corpus.test").issue());
        put("unknown-ca-leaf-only", foreign.leaf("foreign2.corpus.test").withoutIssuerInChain().issue());
        put("self-signed", root.leaf("self.corpus.test").selfSigned().issue());
        put("missing-intermediate", issuing.leaf("orphan.corpus.test").crlDistributionPoint(issuingCrl).withoutIssuerInChain().issue());
        put("email-only", root.leaf("mail.corpus.test").purposes(Purpose.EMAIL_PROTECTION).issue());
        put("server-auth-only", root.leaf("mx.corpus.test").purposes(Purpose.SERVER_AUTH).issue());
        put("no-eku", root.leaf("any.corpus.test").purposes().issue());
        put("rsa-1024", root.leaf("small.corpus.test").key(KeyType.RSA_1024).issue());
        put("sha1", root.leaf("sha1.corpus.test").signature("SHA1withRSA").issue());
        put("no-digital-signature", root.leaf("enc.corpus.test").keyUsage(KeyUsage.keyEncipherment).issue());
        put("revoked-crl-file", root.leaf("revoked.corpus.test").issue());
        root.revoke(certificate("revoked-crl-file").certificate());
        put("revoked-crl-dp", issuing.leaf("revoked-dp.corpus.test").crlDistributionPoint(issuingCrl).issue());
        issuing.revoke(certificate("revoked-crl-dp").certificate());
        put("good-ocsp", issuing.leaf("ocsp.corpus.test").ocsp(issuingOcsp).issue());
        put("revoked-ocsp", issuing.leaf("revoked-ocsp.corpus.test").ocsp(issuingOcsp).issue());
        issuing.revoke(certificate("revoked-ocsp").certificate(), 1);
        put("ocsp-down", issuing.leaf("dark.corpus.test").ocsp(downResponder).issue());
        put("pinned", root.leaf("pinned.corpus.test").selfSigned().key(KeyType.EC_P256).issue());
        put("not-pinned", root.leaf("unpinned.corpus.test").selfSigned().issue());
        put("relay", root.leaf("relay.partner.test").dnsNames("relay.partner.test").issue());

        Path files = Files.createDirectories(SampleServer.home().resolve("it-work/corpus-pki"));
        root.writeCertificatePem(files.resolve("root.pem"));
        root.writeCrlPem(files.resolve("root.crl"), root.crl());
        String pin = Hex.toHexString(MessageDigest.getInstance("SHA-256").digest(certificate("pinned").certificate().getPublicKey().getEncoded()));

        String handler = ""
            + "<verification>"
            + "  <trustAnchors>file://" + files.resolve("root.pem") + "</trustAnchors>"
            + "  <crl>file://" + files.resolve("root.crl") + "</crl>"
            + "  <fetchCrls>true</fetchCrls><ocsp>true</ocsp><timeoutMillis>2000</timeoutMillis>"
            + "</verification>"
            + "<default><level>verify</level><failure>permanent</failure></default>"
            + "<client peer=\"" + SERVER_AUTH_OK + "\"><level>verify</level><acceptServerAuthOnly>true</acceptServerAuthOnly></client>"
            + "<client peer=\"" + SOFT_FAIL + "\"><level>verify</level><revocation>soft-fail</revocation></client>"
            + "<client peer=\"" + PINNED + "\"><level>fingerprint</level><pin of=\"spki\">" + pin + "</pin><failure>permanent</failure></client>"
            + "<client peer=\"" + NAMED + "\"><subjectCn>other.corpus.test</subjectCn><failure>permanent</failure></client>"
            + "<relay><certificate><dnsName match=\"glob\">*.partner.test</dnsName></certificate></relay>";
        server = SampleServer.setup("ClientCertificateCorpusIT")
            .confFile("tlsgate-listeners.xml", TlsGateListener.xml(LISTENER, handler, "file://" + files.resolve("root.pem")))
            .confFile("extensions.properties", TlsGateListener.EXTENSIONS)
            .start();
        tls = TlsOptions.trusting(server.pki().ca().certificate());
    }

    private static void put(String name, IssuedCertificate certificate) {
        CERTIFICATES.put(name, certificate);
    }

    private static IssuedCertificate certificate(String name) {
        return CERTIFICATES.get(name);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (responder != null) {
            responder.close();
        }
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
            row("good", STRICT, ACCEPTED),
            row("good-ec", STRICT, ACCEPTED),
            row("good-via-intermediate", STRICT, ACCEPTED),
            row("no-eku", STRICT, ACCEPTED),
            row("good-ocsp", STRICT, ACCEPTED),
            row("none", STRICT, "554 5.7.0 certificate required, none presented"),
            row("expired", STRICT, UNTRUSTED + "certificate expired on "),
            row("not-yet-valid", STRICT, UNTRUSTED + "certificate not valid before "),
            row("unknown-ca", STRICT, UNTRUSTED + "untrusted root CN=Foo CA,O=Elsewhere"),
            row("unknown-ca-leaf-only", STRICT, UNTRUSTED + "unknown issuer CN=Foo CA,O=Elsewhere"),
            row("self-signed", STRICT, UNTRUSTED + "self-signed certificate CN=self.corpus.test,O=TLS Gate Demo"),
            row("missing-intermediate", STRICT, UNTRUSTED + "unknown issuer CN=Corpus Issuing CA,O=TLS Gate Tests"),
            row("email-only", STRICT, UNTRUSTED + "not a client certificate: extendedKeyUsage allows emailProtection only: CN=mail.corpus.test"),
            row("server-auth-only", STRICT, UNTRUSTED + "not a client certificate: extendedKeyUsage allows serverAuth only"
                + " (a rule may accept serverAuth-only certificates): CN=mx.corpus.test"),
            row("server-auth-only", SERVER_AUTH_OK, ACCEPTED),
            row("rsa-1024", STRICT, UNTRUSTED + "weak key: RSA 1024 bits, 2048 required: CN=small.corpus.test"),
            row("sha1", STRICT, UNTRUSTED + "weak signature: SHA1withRSA is not accepted: CN=sha1.corpus.test"),
            row("no-digital-signature", STRICT, UNTRUSTED + "keyUsage does not allow digitalSignature: CN=enc.corpus.test"),
            row("revoked-crl-file", STRICT, UNTRUSTED + "certificate revoked on "),
            row("revoked-crl-dp", STRICT, UNTRUSTED + "certificate revoked on "),
            row("revoked-ocsp", STRICT, UNTRUSTED + "certificate revoked on "),
            row("ocsp-down", STRICT, "454 4.7.0 certificate could not be checked: revocation status unknown: CN=dark.corpus.test,O=TLS Gate Demo: OCSP "),
            row("ocsp-down", SOFT_FAIL, ACCEPTED),
            // soft-fail accepts an unknown status, never a known revocation (this rule's failures are temporary)
            row("revoked-ocsp", SOFT_FAIL, "454 4.7.0 certificate not trusted: certificate revoked on "),
            row("pinned", PINNED, ACCEPTED),
            row("not-pinned", PINNED, UNTRUSTED + "pin mismatch: no certificate of the chain matches a configured pin"),
            row("good", NAMED, "554 5.7.0 certificate identity mismatch: subject CN good.corpus.test does not match other.corpus.test"));
    }

    private static Arguments row(String certificate, String from, String expected) {
        return Arguments.of(certificate, from, expected);
    }

    @ParameterizedTest(name = "{0} from {1} over TLSv1.3")
    @MethodSource("corpus")
    void tls13(String certificate, String from, String expected) throws Exception {
        assertThat(mailFromAfterTls("TLSv1.3", certificate, from)).startsWith(expected);
    }

    @ParameterizedTest(name = "{0} from {1} over TLSv1.2")
    @MethodSource("corpus")
    void tls12(String certificate, String from, String expected) throws Exception {
        assertThat(mailFromAfterTls("TLSv1.2", certificate, from)).startsWith(expected);
    }

    @Test
    void revocationReasonsAndSourcesAreNamed() throws Exception {
        assertThat(mailFromAfterTls("TLSv1.3", "revoked-crl-file", STRICT))
            .matches(".* \\(keyCompromise\\) per CRL root\\.crl: CN=revoked\\.corpus\\.test,O=TLS Gate Demo");
        assertThat(mailFromAfterTls("TLSv1.3", "revoked-crl-dp", STRICT))
            .matches(".* per CRL " + responder.crlUri("issuing") + ": CN=revoked-dp\\.corpus\\.test,O=TLS Gate Demo");
        assertThat(mailFromAfterTls("TLSv1.3", "revoked-ocsp", STRICT))
            .matches(".* \\(keyCompromise\\) per OCSP " + responder.ocspUri("issuing") + ": CN=revoked-ocsp\\.corpus\\.test,O=TLS Gate Demo");
    }

    @Test
    void aClientWithoutACertificateCompletesTheHandshakeAndGetsAnSmtpReply() throws Exception {
        try (SmtpClient client = connect(STRICT, "TLSv1.3", null)) {
            assertThat(client.tlsDescription()).startsWith("TLSv1.3 ");
            assertThat(client.command("EHLO client.example").toString()).isEqualTo("554 5.7.0 certificate required, none presented");
        }
    }

    @Test
    void aVerifiedCertificateNamedInRelayMayRelayAndTheReceivedHeaderSaysSo() throws Exception {
        try (SmtpClient client = connect(STRICT, "TLSv1.3", certificate("relay"))) {
            client.command("EHLO relay.partner.test");
            assertThat(client.command("MAIL FROM:<sender@partner.test>").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<someone@elsewhere.example>").toString()).isEqualTo("250 2.1.5 Recipient <someone@elsewhere.example> OK");
        }
        try (SmtpClient client = connect(STRICT, "TLSv1.3", certificate("good"))) {
            client.command("EHLO good.corpus.test");
            client.command("MAIL FROM:<sender@example.net>");
            assertThat(client.command("RCPT TO:<someone@elsewhere.example>").toString())
                .isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
        }
    }

    @Test
    void acceptedMailCarriesTheTlsFactsInItsReceivedHeader() throws Exception {
        String subject = "corpus " + UUID.randomUUID();
        try (SmtpClient client = connect(STRICT, "TLSv1.3", certificate("good"))) {
            client.command("EHLO good.corpus.test");
            assertThat(client.sendMail("sender@example.net", DemoServer.USER, subject).toString()).isEqualTo("250 2.6.0 Message received");
        }
        String message = server.awaitMessage(DemoServer.USER, subject);
        assertThat(message).containsPattern("with ESMTPS ID \\S+\r\n\\s+\\(version=TLSv1\\.3 cipher=TLS_AES_\\d+_GCM_SHA\\d+ bits=\\d+ verify=OK\\)");
    }

    private static String mailFromAfterTls(String protocol, String certificate, String from) throws Exception {
        try (SmtpClient client = connect(from, protocol, certificate.equals("none") ? null : certificate(certificate))) {
            assertThat(client.tlsDescription()).startsWith(protocol + " ");
            client.command("EHLO client.example");
            Reply reply = client.command("MAIL FROM:<sender@example.net>");
            return reply.toString();
        }
    }

    private static SmtpClient connect(String from, String protocol, IssuedCertificate certificate) throws Exception {
        SmtpClient client = SmtpClient.connect("127.0.0.1", server.port(LISTENER), InetAddress.getByName(from));
        client.readReply();
        client.command("EHLO client.example");
        TlsOptions options = tls.withProtocols(protocol);
        client.startTls(certificate == null ? options : options.withClientCertificate(certificate));
        return client;
    }
}
