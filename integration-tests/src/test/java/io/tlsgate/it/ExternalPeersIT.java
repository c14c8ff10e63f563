package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.pki.DemoPki;

/** The same rules seen by real peers that no one here wrote: swaks (Net::SSLeay) and openssl s_client. */
class ExternalPeersIT {
    private static final String MISMATCH = "554 5.7.0 certificate identity mismatch: subjectAltName DNS name "
        + DemoPki.BAD_CLIENT + " does not match glob:*.partners.demo.test";

    private static DemoServer server;
    private static DemoPki pki;
    private static String mx;
    private static String submission;
    private static String partners;
    private static String asking;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.start("ExternalPeersIT");
        pki = server.pki();
        mx = "127.0.0.1:" + server.port("smtpserver-mx");
        submission = "127.0.0.1:" + server.port("smtpserver-submission");
        partners = "127.0.0.1:" + server.port("smtpserver-partners");
        asking = "127.0.0.1:" + server.port("tlsgate-mx");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String[] mail(String subject, String... more) {
        String[] base = {"--from", "sender@example.net", "--to", DemoServer.USER, "--header", "Subject: " + subject};
        String[] all = new String[base.length + more.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(base, 0, all, more.length, base.length);
        return all;
    }

    @Test
    void swaksWithVerifiedStartTlsIsDelivered() throws Exception {
        String subject = "swaks " + UUID.randomUUID();
        Peers.Run run = Peers.swaks(mail(subject, "--server", mx, "--tls", "--tls-verify", "--tls-ca-path", pki.caCertificate().toString()));
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.output).contains("<~  250 2.6.0 Message received");
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
    }

    @Test
    void swaksWithoutTlsGets530() {
        Peers.Run run = Peers.swaks(mail("plain", "--server", mx));
        assertThat(run.output).as(run.toString()).contains("<** 530 5.7.0 Must issue a STARTTLS command first");
        assertThat(run.exitCode).isNotZero();
    }

    @Test
    void swaksWithAes128IsTooWeakForTheSubmissionPort() {
        Peers.Run run = Peers.swaks(mail("weak", "--server", submission, "--tls", "--tls-protocol", "tlsv1_2", "--tls-cipher", "AES128-SHA"));
        assertThat(run.output).as(run.toString())
            .contains("=== TLS started with cipher TLSv1.2:AES128-SHA:128")
            .contains("<~* 554 5.7.0 encryption too weak: 128 bits, 256 required");
        assertThat(run.output).doesNotContain("250 2.6.0");
    }

    @Test
    void swaksPresentingThePartnerCertificateIsDelivered() throws Exception {
        String subject = "swaks partner " + UUID.randomUUID();
        Peers.Run run = Peers.swaks(mail(subject, "--server", partners, "--tlsc",
            "--tls-cert", pki.certificateFile("good-client").toString(), "--tls-key", pki.keyFile("good-client").toString()));
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
    }

    @Test
    void swaksPresentingACertificateForAnotherHostIsRefusedForTheWholeSession() {
        Peers.Run run = Peers.swaks(mail("swaks bad", "--server", partners, "--tlsc",
            "--tls-cert", pki.certificateFile("bad-client").toString(), "--tls-key", pki.keyFile("bad-client").toString()));
        // swaks falls back from EHLO to HELO: both get the refusal, and QUIT still works.
        assertThat(run.output).as(run.toString())
            .contains("<~* " + MISMATCH + "\n ~> HELO")
            .contains(" ~> QUIT\n<~  221 2.0.0");
        assertThat(run.output.split("554 5.7.0 certificate identity mismatch", -1)).hasSize(3);
    }

    @Test
    void swaksFromTheAddressWithItsOwnRuleIsDisconnected() {
        Peers.Run run = Peers.swaks(mail("swaks 127.0.0.2", "--server", mx, "--local-interface", "127.0.0.2", "--tls", "--tls-protocol", "tlsv1_2"));
        assertThat(run.output).as(run.toString())
            .contains("<~* 554 5.7.0 protocol too old: TLSv1.2, TLSv1.3 required")
            .contains("*** Remote host closed connection unexpectedly.");
    }

    @Test
    void opensslTls13WithAes128GetsTheSameRefusalForEveryCommandUntilQuit() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nNOOP\nRSET\nMAIL FROM:<a@example.net>\nQUIT\n",
            "-connect", submission, "-starttls", "smtp", "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256",
            "-CAfile", pki.caCertificate().toString());
        String refusal = "554 5.7.0 encryption too weak: 128 bits, 256 required";
        assertThat(run.output).as(run.toString())
            .contains(refusal + "\n" + refusal + "\n" + refusal + "\n" + refusal + "\n221 2.0.0");
    }

    @Test
    void opensslTls12WithAes128IsRefused() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nQUIT\n",
            "-connect", submission, "-starttls", "smtp", "-tls1_2", "-cipher", "AES128-GCM-SHA256",
            "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).contains("554 5.7.0 encryption too weak: 128 bits, 256 required\n221 2.0.0");
    }

    @Test
    void opensslWithAStrongSessionIsLeftToJames() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nMAIL FROM:<a@example.net>\nQUIT\n",
            "-connect", mx, "-starttls", "smtp", "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).contains("250 2.1.0 Sender <a@example.net> OK");
    }

    @Test
    void opensslPresentingACertificateForAnotherHostOnImplicitTls() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nNOOP\nQUIT\n",
            "-connect", partners, "-cert", pki.certificateFile("bad-client").toString(),
            "-key", pki.keyFile("bad-client").toString(), "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).contains("220 TLS Gate demo partner port\n" + MISMATCH + "\n" + MISMATCH + "\n221 2.0.0");
    }

    @Test
    void opensslPresentingThePartnerCertificateIsAccepted() {
        Peers.Run run = Peers.opensslClient("EHLO " + DemoPki.GOOD_CLIENT + "\nMAIL FROM:<a@example.net>\nQUIT\n",
            "-connect", partners, "-cert", pki.certificateFile("good-client").toString(),
            "-key", pki.keyFile("good-client").toString(), "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).contains("250 2.1.0 Sender <a@example.net> OK");
    }

    // The listener that asks for a client certificate (conf-samples/inbound-gate/tlsgate-listeners.xml).

    @Test
    void swaksWithoutACertificateCompletesTheHandshakeAndGetsAnSmtpReply() {
        Peers.Run run = Peers.swaks(mail("swaks no cert", "--server", asking, "--tls"));
        assertThat(run.output).as(run.toString())
            .contains("=== TLS started with cipher")
            .contains("<~* 554 5.7.0 certificate required, none presented");
    }

    @Test
    void swaksWithARevokedCertificateIsRefusedWithTheReason() {
        Peers.Run run = Peers.swaks(mail("swaks revoked", "--server", asking, "--tls",
            "--tls-cert", pki.certificateFile("revoked-client").toString(), "--tls-key", pki.keyFile("revoked-client").toString()));
        assertThat(run.output).as(run.toString())
            .containsPattern("<~\\* 554 5\\.7\\.0 certificate not trusted: certificate revoked on \\S+ \\(keyCompromise\\) per CRL ca\\.crl:"
                + " CN=revoked\\.partners\\.demo\\.test,O=TLS Gate Demo");
    }

    @Test
    void swaksAsAPartnerRelaysAuthenticatedAndTheReceivedHeaderSaysEsmtpsa() throws Exception {
        String subject = "swaks partner relay " + UUID.randomUUID();
        Peers.Run run = Peers.swaks("--server", asking, "--tls", "--tls-cert", pki.certificateFile("good-client").toString(),
            "--tls-key", pki.keyFile("good-client").toString(), "--from", DemoServer.PARTNER_USER, "--to", DemoServer.USER,
            "--header", "Subject: " + subject);
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(server.awaitMessage(DemoServer.USER, subject))
            .containsPattern("with ESMTPSA ID \\S+\r\n\\s+\\(version=TLSv1\\.[23] cipher=\\S+ bits=\\d+ verify=OK\\)");
    }

    @Test
    void opensslWithAnExpiredCertificate() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nQUIT\n", "-connect", asking, "-starttls", "smtp",
            "-cert", pki.certificateFile("expired-client").toString(), "-key", pki.keyFile("expired-client").toString(),
            "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).containsPattern("554 5\\.7\\.0 certificate not trusted: certificate expired on \\S+:"
            + " CN=expired\\.partners\\.demo\\.test,O=TLS Gate Demo\n221 2\\.0\\.0");
    }

    @Test
    void opensslWithACertificateFromAnUnknownCa() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nQUIT\n", "-connect", asking, "-starttls", "smtp", "-tls1_2",
            "-cert", pki.certificateFile("unknown-ca-client").toString(), "-key", pki.keyFile("unknown-ca-client").toString(),
            "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString())
            .contains("554 5.7.0 certificate not trusted: unknown issuer CN=Unknown Demo CA,O=Elsewhere\n221 2.0.0");
    }

    @Test
    void opensslWithTheGoodCertificateIsAccepted() {
        Peers.Run run = Peers.opensslClient("EHLO openssl.example\nMAIL FROM:<a@example.net>\nQUIT\n", "-connect", asking,
            "-starttls", "smtp", "-cert", pki.certificateFile("good-client").toString(), "-key", pki.keyFile("good-client").toString(),
            "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString()).contains("250 2.1.0 Sender <a@example.net> OK");
    }

    @Test
    void theCertificateRequestAdvertisesTheConfiguredCaNames() {
        Peers.Run run = Peers.opensslClientVerbose("QUIT\n", "-connect", asking, "-starttls", "smtp", "-tls1_2",
            "-CAfile", pki.caCertificate().toString());
        assertThat(run.output).as(run.toString())
            .contains("Acceptable client certificate CA names\nO = TLS Gate Demo, CN = TLS Gate Demo CA\n");
    }
}
