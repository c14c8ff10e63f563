package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.dnsservice.api.DNSService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.QueueProbe;
import io.tlsgate.demo.peer.Received;
import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;
import io.tlsgate.demo.smtp.TlsOptions;

/**
 * Each configuration set of conf-samples/ (other than inbound-gate, which the other tests boot) booted as shipped:
 * its files copied unchanged into conf/ (only the listeners' binds moved to loopback ports), nothing in conf/tls/ but
 * the key material its README names, the extension jar in extensions-jars/, and the DNS of the peers bound in the
 * test. Real SMTP sessions prove what each set is for: exact replies, and where the mail ended.
 */
class ConfSamplesIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String QUEUE = "outgoing-tlsgate";
    private static final char[] STORE_PASSWORD = "tlsgate-demo".toCharArray();
    private static final String LOCAL = "127.0.0.1";

    /** James's server certificate (localhost, 127.0.0.1) from a CA of its own, written as conf/tls/server.p12. */
    private static final class ServerKey {
        final CertificateAuthority ca = CertificateAuthority.create("CN=Sample Server CA,O=TLS Gate Tests");
        final IssuedCertificate certificate = ca.issueServer("localhost", List.of("localhost"), List.of(LOCAL));

        void write(Path tls) {
            certificate.writePkcs12(tls.resolve("server.p12"), "james", STORE_PASSWORD);
        }

        TlsOptions trusted() {
            return TlsOptions.trusting(ca.certificate());
        }
    }

    /** The files in conf/tls/ once James runs: exactly what the set's README names. */
    private static List<String> keyFiles(DemoServer server) throws Exception {
        try (Stream<Path> files = Files.list(server.workingDirectory().resolve("conf/tls"))) {
            return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void assertQuitBeforeMailFrom(Session session) {
        assertThat(session.transcript()).as(session.toString()).contains("STARTTLS").endsWith("[tls] QUIT");
        assertThat(session.sawMailFrom()).as(session.toString()).isFalse();
        assertThat(session.receivedDataBytes()).isZero();
    }

    private static Received awaitMessage(SmtpPeer peer, String subject) {
        return Outbound.await(WAIT, "a message '" + subject + "' at " + peer, () -> peer.messages().stream()
            .filter(m -> m.text().contains("Subject: " + subject + "\r\n")).findFirst());
    }

    private static QueueProbe.Queued awaitQueued(DemoServer server, String recipient) {
        return Outbound.await(WAIT, recipient + " queued for a retry", () -> server.queue(QUEUE).stream()
            .filter(q -> q.recipients.contains(recipient) && q.retries > 0).findFirst());
    }

    private static String awaitDsn(DemoServer server, String recipient) {
        return Outbound.await(WAIT, "a DSN for " + recipient + " in " + DemoServer.USER + "'s INBOX", () -> server.inbox(DemoServer.USER)
            .stream().filter(m -> m.contains("Final-Recipient: rfc822; " + recipient)).findFirst());
    }

    private static String subject(String what) {
        return what + " " + UUID.randomUUID();
    }

    /** The DATA part of a transaction whose envelope was accepted; the reply to the end of data. */
    private static Reply data(SmtpClient client, String from, String to, String subject) {
        assertThat(client.command("DATA").code()).isEqualTo(354);
        return client.command("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\n\r\nSent through TLS Gate.\r\n.");
    }

    // ------------------------------------------------------------------------------------------------------------

    /** conf-samples/mx-partners: the MX asks for certificates; partner hosts must present one; partners relay. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class MxPartners {
        private static final String LISTENER = "tlsgate-mx";
        private static final String PARTNER_HOST = "127.0.0.2";
        private static final String PARTNER_NAME = "mx1.partners.demo.test";
        private static final String REMOTE = "bob@partners.demo.test";

        private final ServerKey serverKey = new ServerKey();
        private final CertificateAuthority partnerCa = CertificateAuthority.create("CN=Partner CA,O=Partners");
        private final IssuedCertificate partnerCertificate = partnerCa.issueClient(PARTNER_NAME, List.of(PARTNER_NAME));
        private final IssuedCertificate foreignCertificate = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere")
            .issueClient(PARTNER_NAME, List.of(PARTNER_NAME));
        private final DemoDns dns = new DemoDns().ptr(PARTNER_HOST, PARTNER_NAME).a(PARTNER_NAME, PARTNER_HOST);
        private final PeerSet peers = new PeerSet(dns);
        private DemoServer server;
        private SmtpPeer partnerMx;

        @BeforeAll
        void start() throws Exception {
            // The partner domain's MX, with a certificate from the partner CA: where relayed mail goes.
            partnerMx = peers.mx("partners.demo.test", SmtpPeer.builder()
                .certificate(partnerCa.issueServer("mx.partners.demo.test", List.of("mx.partners.demo.test"), List.of())));
            server = SampleServer.setup("ConfSamplesIT-mx-partners").confSample("mx-partners")
                .keyMaterial(tls -> {
                    serverKey.write(tls);
                    partnerCa.writeCertificatePem(tls.resolve("partner-cas.pem"));
                })
                .override(binder -> binder.bind(DNSService.class).toInstance(dns))
                .start();
        }

        @AfterAll
        void stop() {
            peers.close();
            if (server != null) {
                server.close();
            }
        }

        private SmtpClient connect(String from) throws Exception {
            SmtpClient client = SmtpClient.connect(LOCAL, server.port(LISTENER), InetAddress.getByName(from));
            assertThat(client.readReply().code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
            return client;
        }

        private SmtpClient connectTls(String from, IssuedCertificate certificate) throws Exception {
            SmtpClient client = connect(from);
            client.startTls(certificate == null ? serverKey.trusted() : serverKey.trusted().withClientCertificate(certificate));
            return client;
        }

        @Test
        void theSetNeedsOnlyItsServerKeyAndThePartnerCas() throws Exception {
            assertThat(keyFiles(server)).containsExactly("partner-cas.pem", "server.p12");
            assertThat(server.ports()).containsOnlyKeys(LISTENER);
        }

        @Test
        void aPartnerWithACertificateFromThePartnerCaRelaysAndTheMailReachesTheDestination() throws Exception {
            String subject = subject("partner relay");
            try (SmtpClient client = connectTls(PARTNER_HOST, partnerCertificate)) {
                assertThat(client.command("EHLO " + PARTNER_NAME).code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("250 2.1.0 Sender <someone@partners.demo.test> OK");
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString()).isEqualTo("250 2.1.5 Recipient <" + REMOTE + "> OK");
                assertThat(data(client, "someone@partners.demo.test", REMOTE, subject).toString()).isEqualTo("250 2.6.0 Message received");
            }
            Received message = awaitMessage(partnerMx, subject);
            assertThat(message.tls()).isTrue();
            assertThat(message.recipients()).containsExactly(REMOTE);
            // Relayed as partner@demo.test (ESMTPSA), with the verified certificate in James's Received header.
            assertThat(message.text()).contains("with ESMTPSA").contains("verify=OK)");
        }

        @Test
        void aPartnerHostWithoutACertificateGetsThePermanentRefusalToEveryCommand() throws Exception {
            try (SmtpClient client = connectTls(PARTNER_HOST, null)) {
                assertThat(client.command("EHLO " + PARTNER_NAME).toString()).isEqualTo("554 5.7.0 certificate required, none presented");
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("554 5.7.0 certificate required, none presented");
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").toString()).isEqualTo("554 5.7.0 certificate required, none presented");
                assertThat(client.command("QUIT").code()).isEqualTo(221);
            }
        }

        @Test
        void aPartnerHostWithACertificateFromAnotherCaIsRefusedWithTheReason() throws Exception {
            try (SmtpClient client = connectTls(PARTNER_HOST, foreignCertificate)) {
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("554 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            }
        }

        @Test
        void aPartnerHostMustStartTls() throws Exception {
            try (SmtpClient client = connect(PARTNER_HOST)) {
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            }
        }

        @Test
        void anyoneElseDeliversToLocalUsersInPlaintextButMayNotRelay() throws Exception {
            String subject = subject("plaintext from anyone");
            try (SmtpClient client = connect(LOCAL)) {
                assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString())
                    .isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").toString())
                    .isEqualTo("250 2.1.5 Recipient <" + DemoServer.USER + "> OK");
                assertThat(data(client, "sender@example.net", DemoServer.USER, subject).toString()).isEqualTo("250 2.6.0 Message received");
            }
            assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
        }

        @Test
        void anyoneElseOverTlsWithoutACertificateIsAcceptedForLocalUsersOnly() throws Exception {
            String subject = subject("tls from anyone");
            try (SmtpClient client = connectTls(LOCAL, null)) {
                assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString())
                    .isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").code()).isEqualTo(250);
                assertThat(data(client, "sender@example.net", DemoServer.USER, subject).toString()).isEqualTo("250 2.6.0 Message received");
            }
            assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("with ESMTPS").contains("verify=NO)");
            assertThat(partnerMx.messages()).noneMatch(m -> m.text().contains(subject));
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** conf-samples/submission-certificates: a certificate is required, and a mapped one counts as AUTH. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SubmissionCertificates {
        private static final String LISTENER = "tlsgate-submission";
        private static final String REMOTE = "bob@remote.example";
        private static final String REFUSED = "554 5.7.0 certificate required, none presented";

        private final ServerKey serverKey = new ServerKey();
        private final CertificateAuthority usersCa = CertificateAuthority.create("CN=Users CA,O=TLS Gate Demo");
        private final IssuedCertificate alice = usersCa.issueClient(DemoServer.USER, List.of());
        private final IssuedCertificate unmapped = usersCa.issueClient("carol@demo.test", List.of());
        private final CertificateAuthority relayCa = CertificateAuthority.create("CN=Internal CA,O=TLS Gate Demo");
        private final DemoDns dns = new DemoDns();
        private final PeerSet peers = new PeerSet(dns);
        private DemoServer server;
        private SmtpPeer remote;

        @BeforeAll
        void start() throws Exception {
            remote = peers.mx("remote.example", SmtpPeer.builder()
                .certificate(relayCa.issueServer("mx.remote.example", List.of("mx.remote.example"), List.of())));
            server = SampleServer.setup("ConfSamplesIT-submission-certificates").confSample("submission-certificates")
                .keyMaterial(tls -> {
                    serverKey.write(tls);
                    usersCa.writeCertificatePem(tls.resolve("users-ca.pem"));
                    relayCa.writeCertificatePem(tls.resolve("relay-cas.pem"));
                })
                .override(binder -> binder.bind(DNSService.class).toInstance(dns))
                .start();
        }

        @AfterAll
        void stop() {
            peers.close();
            if (server != null) {
                server.close();
            }
        }

        private SmtpClient connect() {
            SmtpClient client = SmtpClient.connect(LOCAL, server.port(LISTENER));
            assertThat(client.readReply().code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
            return client;
        }

        private SmtpClient connectTls(IssuedCertificate certificate) {
            SmtpClient client = connect();
            client.startTls(certificate == null ? serverKey.trusted() : serverKey.trusted().withClientCertificate(certificate));
            return client;
        }

        @Test
        void theSetNeedsOnlyItsServerKeyTheUsersCaAndTheRelayCas() throws Exception {
            assertThat(keyFiles(server)).containsExactly("relay-cas.pem", "server.p12", "users-ca.pem");
            assertThat(server.ports()).containsOnlyKeys(LISTENER);
        }

        @Test
        void aUserCertificateRelaysWithoutAuthAndTheMailCountsAsAuthenticated() {
            String subject = subject("certificate submission");
            try (SmtpClient client = connectTls(alice)) {
                assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<" + DemoServer.USER + ">").toString())
                    .isEqualTo("250 2.1.0 Sender <" + DemoServer.USER + "> OK");
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString()).isEqualTo("250 2.1.5 Recipient <" + REMOTE + "> OK");
                assertThat(data(client, DemoServer.USER, REMOTE, subject).toString()).isEqualTo("250 2.6.0 Message received");
            }
            Received message = awaitMessage(remote, subject);
            assertThat(message.tls()).isTrue();
            assertThat(message.sender()).isEqualTo(DemoServer.USER);
            assertThat(message.recipients()).containsExactly(REMOTE);
            assertThat(message.text()).contains("with ESMTPSA").contains("verify=OK)");
        }

        @Test
        void aUserCertificateMaySendOnlyAsItsOwnUser() {
            try (SmtpClient client = connectTls(alice)) {
                assertThat(client.command("MAIL FROM:<" + DemoServer.PARTNER_USER + ">").toString())
                    .isEqualTo("503 5.7.1 Incorrect Authentication for Specified Email Address");
            }
        }

        @Test
        void aClientWithoutACertificateIsRefusedEvenWithAPassword() {
            try (SmtpClient client = connectTls(null)) {
                assertThat(client.command("EHLO client.example").toString()).isEqualTo(REFUSED);
                assertThat(client.authPlain(DemoServer.USER, DemoServer.USER_PASSWORD).toString()).isEqualTo(REFUSED);
                assertThat(client.command("MAIL FROM:<" + DemoServer.USER + ">").toString()).isEqualTo(REFUSED);
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString()).isEqualTo(REFUSED);
                assertThat(client.command("QUIT").code()).isEqualTo(221);
            }
        }

        @Test
        void aClientThatNeverStartsTlsIsToldTo() {
            try (SmtpClient client = connect()) {
                assertThat(client.command("MAIL FROM:<" + DemoServer.USER + ">").toString())
                    .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            }
        }

        @Test
        void aCertificateFromAnotherCaIsRefusedWithTheReason() {
            IssuedCertificate foreign = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere").issueClient(DemoServer.USER, List.of());
            try (SmtpClient client = connectTls(foreign)) {
                assertThat(client.command("MAIL FROM:<" + DemoServer.USER + ">").toString())
                    .isEqualTo("554 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            }
        }

        @Test
        void aVerifiedCertificateWithoutAGrantIsNotAuthenticatedAndMayNotRelay() {
            try (SmtpClient client = connectTls(unmapped)) {
                // verifyIdentity: a local sender address needs an authenticated session
                assertThat(client.command("MAIL FROM:<carol@demo.test>").toString()).isEqualTo("530 5.7.1 Authentication Required");
                // James's relay check on a listener that announces AUTH: the session is not authenticated
                assertThat(client.command("MAIL FROM:<sender@example.net>").code()).isEqualTo(250);
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").toString()).isEqualTo("530 5.7.1 Authentication Required");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** conf-samples/secure-relay: TlsRemoteDelivery in place of RemoteDelivery, per-destination rules and failures. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SecureRelay {
        private final ServerKey serverKey = new ServerKey();
        private final CertificateAuthority partnerCa = CertificateAuthority.create("CN=Partner CA,O=Partners");
        private final CertificateAuthority foreignCa = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        private final DemoDns dns = new DemoDns();
        private final PeerSet peers = new PeerSet(dns);
        private DemoServer server;
        private SmtpPeer verified;
        private SmtpPeer untrusted;
        private SmtpPeer partner;
        private SmtpPeer partnerUntrusted;
        private SmtpPeer partnerHostedElsewhere;
        private SmtpPeer pinned;
        private SmtpPeer plain;

        @BeforeAll
        void start() throws Exception {
            verified = peers.mx("verified.example", SmtpPeer.builder().certificate(server(partnerCa, "mx.verified.example")));
            untrusted = peers.mx("untrusted.example", SmtpPeer.builder().certificate(server(foreignCa, "mx.untrusted.example")));
            plain = peers.mx("plain.example", SmtpPeer.builder().advertiseStartTls(false));
            // Level secure: the certificate names the recipient domain, whatever the MX is called.
            partner = peers.mx("partner.example", SmtpPeer.builder().certificate(server(partnerCa, "partner.example")));
            partnerUntrusted = peers.mx("eu.partner.example", SmtpPeer.builder().certificate(server(foreignCa, "eu.partner.example")));
            // A partner domain whose MX is a hosting provider's host: its certificate names that host only.
            partnerHostedElsewhere = peers.started(SmtpPeer.builder().certificate(server(partnerCa, "mx.hosting.example")));
            dns.mx("us.partner.example", "mx.hosting.example:" + partnerHostedElsewhere.port()).a("mx.hosting.example", LOCAL);
            // A trusted certificate naming its MX, but not the key pinned in the shipped file.
            pinned = peers.mx("pinned.example", SmtpPeer.builder().certificate(server(partnerCa, "mx.pinned.example")));
            server = SampleServer.setup("ConfSamplesIT-secure-relay").confSample("secure-relay")
                .keyMaterial(tls -> {
                    serverKey.write(tls);
                    partnerCa.writeCertificatePem(tls.resolve("partner-cas.pem"));
                })
                .override(binder -> binder.bind(DNSService.class).toInstance(dns))
                .start();
        }

        private IssuedCertificate server(CertificateAuthority ca, String name) {
            return ca.issueServer(name, List.of(name), List.of());
        }

        @AfterAll
        void stop() {
            peers.close();
            if (server != null) {
                server.close();
            }
        }

        private String submit(String recipient) {
            String subject = subject("relay to " + recipient);
            Outbound.submit(server, serverKey.ca.certificate(), subject, List.of(recipient));
            return subject;
        }

        private String host(SmtpPeer peer, String name) {
            return name + "[127.0.0.1]:" + peer.port();
        }

        @Test
        void theSetNeedsOnlyItsServerKeyAndThePartnerCas() throws Exception {
            assertThat(keyFiles(server)).containsExactly("partner-cas.pem", "server.p12");
            assertThat(server.ports()).containsOnlyKeys("smtpserver-submission");
        }

        @Test
        void aVerifiedDestinationGetsTheMailOverTls() {
            String subject = submit("bob@verified.example");
            Received message = awaitMessage(verified, subject);
            assertThat(message.tls()).isTrue();
            assertThat(message.recipients()).containsExactly("bob@verified.example");
        }

        @Test
        void anUntrustedCertificateUnderTheDefaultGetsQuitAndTheMailStaysQueued() {
            submit("bob@untrusted.example");
            assertQuitBeforeMailFrom(untrusted.awaitSessions(1, WAIT).get(0));
            QueueProbe.Queued queued = awaitQueued(server, "bob@untrusted.example");
            assertThat(queued.retries).isEqualTo(1);
            assertThat(queued.error).isEqualTo("4.7.0 " + host(untrusted, "mx.untrusted.example")
                + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            assertThat(untrusted.messages()).isEmpty();
            assertThat(server.inbox(DemoServer.USER)).noneMatch(m -> m.contains("Final-Recipient: rfc822; bob@untrusted.example"));
        }

        @Test
        void aDestinationWithoutStartTlsGetsQuitAndTheMailStaysQueued() {
            submit("bob@plain.example");
            assertThat(plain.awaitSessions(1, WAIT).get(0).transcript()).containsExactly("EHLO demo.test", "QUIT");
            assertThat(awaitQueued(server, "bob@plain.example").error)
                .isEqualTo("4.7.0 " + host(plain, "mx.plain.example") + ": 4.7.0 the server does not offer STARTTLS");
        }

        @Test
        void aPartnerWhoseCertificateNamesItsDomainGetsTheMail() {
            String subject = submit("bob@partner.example");
            Received message = awaitMessage(partner, subject);
            assertThat(message.tls()).isTrue();
            assertThat(partner.sessions().get(0).handshake().orElseThrow().sniHostNames()).containsExactly("mx.partner.example");
        }

        @Test
        void anUntrustedPartnerCertificateGetsQuitAndTheSenderADsnAtOnce() {
            submit("bob@eu.partner.example");
            assertQuitBeforeMailFrom(partnerUntrusted.awaitSessions(1, WAIT).get(0));
            String dsn = awaitDsn(server, "bob@eu.partner.example");
            assertThat(dsn).contains("Status: 5.7.0 " + host(partnerUntrusted, "mx.eu.partner.example")
                + ": 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains("bob@eu.partner.example"));
            assertThat(partnerUntrusted.messages()).isEmpty();
        }

        @Test
        void aPartnerMxWhoseCertificateNamesOnlyItselfIsNotEnoughForLevelSecure() {
            // Level verify would pass this MX (a trusted certificate naming it); secure wants the recipient domain.
            submit("bob@us.partner.example");
            assertQuitBeforeMailFrom(partnerHostedElsewhere.awaitSessions(1, WAIT).get(0));
            assertThat(awaitDsn(server, "bob@us.partner.example")).contains("Status: 5.7.0 " + host(partnerHostedElsewhere, "mx.hosting.example")
                + ": 5.7.0 certificate not trusted: certificate names [mx.hosting.example], not the recipient domain us.partner.example");
            assertThat(partnerHostedElsewhere.messages()).isEmpty();
        }

        @Test
        void aPinnedDestinationWithAnotherKeyGetsQuitAndTheMailStaysQueued() {
            submit("bob@pinned.example");
            assertQuitBeforeMailFrom(pinned.awaitSessions(1, WAIT).get(0));
            QueueProbe.Queued queued = awaitQueued(server, "bob@pinned.example");
            assertThat(queued.retries).isEqualTo(1);
            assertThat(queued.error).startsWith("4.7.0 " + host(pinned, "mx.pinned.example") + ": 4.7.0 certificate not trusted: pin mismatch");
            assertThat(pinned.messages()).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** conf-samples/sendmail-migration: a Sendmail access file read by both sides through the shared policy file. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SendmailMigration {
        private static final String MX = "tlsgate-mx";
        private static final String PARTNER_HOST = "127.0.0.2";
        private static final String PARTNER_NAME = "mx1.partners.demo.test";
        private static final String BACKUP_HOST = "127.0.0.3";
        private static final String BACKUP_NAME = "backup.demo.test";
        private static final String NO_CERTIFICATE = "554 5.7.0 certificate required, none presented";

        private final ServerKey serverKey = new ServerKey();
        private final CertificateAuthority partnerCa = CertificateAuthority.create("CN=Partner CA,O=Partners");
        private final CertificateAuthority foreignCa = CertificateAuthority.create("CN=Foreign CA,O=Elsewhere");
        private final IssuedCertificate partnerCertificate = partnerCa.issueClient(PARTNER_NAME, List.of(PARTNER_NAME));
        private final DemoDns dns = new DemoDns()
            .ptr(PARTNER_HOST, PARTNER_NAME).a(PARTNER_NAME, PARTNER_HOST)
            .ptr(BACKUP_HOST, BACKUP_NAME).a(BACKUP_NAME, BACKUP_HOST);
        private final PeerSet peers = new PeerSet(dns);
        private DemoServer server;
        private SmtpPeer remote;
        private SmtpPeer bank;
        private SmtpPeer secure;
        private SmtpPeer legacy;

        @BeforeAll
        void start() throws Exception {
            // No entry: the <default> of the policy file (may): any certificate will do.
            remote = peers.mx("remote.example", SmtpPeer.builder().certificate(server(foreignCa, "mx.remote.example")));
            // TLS_Rcpt:bank.example VERIFY:128, and TLS_Srv:mx.secure.example PERM+VERIFY:128: an untrusted certificate.
            bank = peers.mx("bank.example", SmtpPeer.builder().certificate(server(foreignCa, "mx.bank.example")));
            secure = peers.mx("secure.example", SmtpPeer.builder().certificate(server(foreignCa, "mx.secure.example")));
            // Try_TLS:mx.legacy.example NO: the MX offers STARTTLS, the relay does not use it.
            legacy = peers.mx("legacy.example", SmtpPeer.builder().certificate(server(partnerCa, "mx.legacy.example")));
            server = SampleServer.setup("ConfSamplesIT-sendmail-migration").confSample("sendmail-migration")
                .keyMaterial(tls -> {
                    serverKey.write(tls);
                    partnerCa.writeCertificatePem(tls.resolve("partner-cas.pem"));
                })
                .override(binder -> binder.bind(DNSService.class).toInstance(dns))
                .start();
        }

        private IssuedCertificate server(CertificateAuthority ca, String name) {
            return ca.issueServer(name, List.of(name), List.of());
        }

        @AfterAll
        void stop() {
            peers.close();
            if (server != null) {
                server.close();
            }
        }

        private SmtpClient connect(String from) throws Exception {
            SmtpClient client = SmtpClient.connect(LOCAL, server.port(MX), InetAddress.getByName(from));
            assertThat(client.readReply().code()).isEqualTo(220);
            assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
            return client;
        }

        private SmtpClient connectTls(String from, TlsOptions tls) throws Exception {
            SmtpClient client = connect(from);
            assertThat(client.startTls(tls).code()).isEqualTo(220);
            return client;
        }

        private String submit(String recipient) {
            String subject = subject("relay to " + recipient);
            Outbound.submit(server, serverKey.ca.certificate(), subject, List.of(recipient));
            return subject;
        }

        private String host(SmtpPeer peer, String name) {
            return name + "[127.0.0.1]:" + peer.port();
        }

        @Test
        void theSetNeedsOnlyItsServerKeyAndThePartnerCas() throws Exception {
            assertThat(keyFiles(server)).containsExactly("partner-cas.pem", "server.p12");
            assertThat(server.ports()).containsOnlyKeys(MX, "smtpserver-submission");
        }

        @Test
        void theEntriesThatAreNotTlsPolicyAreIgnoredAndLoggedWithTheirLines() {
            assertThat(ItLog.read()).contains("6 entries ignored, not TLS policy (lines 12, 13, 14, 15, 16, 17)");
        }

        @Test
        void aPartnerHostWithoutACertificateIsRefusedByItsTlsCltEntry() throws Exception {
            // TLS_Clt:partners.demo.test PERM+VERIFY:128+CITag:partnerCAs
            try (SmtpClient client = connect(PARTNER_HOST)) {
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(client.startTls(serverKey.trusted()).code()).isEqualTo(220);
                assertThat(client.command("EHLO " + PARTNER_NAME).toString()).isEqualTo(NO_CERTIFICATE);
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString()).isEqualTo(NO_CERTIFICATE);
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").toString()).isEqualTo(NO_CERTIFICATE);
                assertThat(client.command("QUIT").code()).isEqualTo(221);
            }
        }

        @Test
        void aPartnerHostWithACertificateFromAnotherCaIsRefusedWithTheReason() throws Exception {
            IssuedCertificate foreign = foreignCa.issueClient(PARTNER_NAME, List.of(PARTNER_NAME));
            try (SmtpClient client = connectTls(PARTNER_HOST, serverKey.trusted().withClientCertificate(foreign))) {
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("554 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            }
        }

        @Test
        void aPartnerHostWithItsCertificatePassesAndRelaysByCertIssuer() throws Exception {
            String subject = subject("partner relay");
            try (SmtpClient client = connectTls(PARTNER_HOST, serverKey.trusted().withClientCertificate(partnerCertificate))) {
                assertThat(client.command("EHLO " + PARTNER_NAME).code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<someone@partners.demo.test>").toString())
                    .isEqualTo("250 2.1.0 Sender <someone@partners.demo.test> OK");
                assertThat(client.command("RCPT TO:<bob@remote.example>").toString()).isEqualTo("250 2.1.5 Recipient <bob@remote.example> OK");
                assertThat(data(client, "someone@partners.demo.test", "bob@remote.example", subject).toString())
                    .isEqualTo("250 2.6.0 Message received");
            }
            Received message = awaitMessage(remote, subject);
            assertThat(message.tls()).isTrue();
            assertThat(message.text()).contains("verify=OK)");
        }

        @Test
        void theBackupMxMustUseTlsButNeedsNoCertificate() throws Exception {
            // TLS_Clt:backup.demo.test ENCR:128: no PERM+, so a failure (a missing STARTTLS too) is temporary.
            try (SmtpClient client = connect(BACKUP_HOST)) {
                assertThat(client.command("MAIL FROM:<someone@example.net>").toString())
                    .isEqualTo("454 4.7.0 Must issue a STARTTLS command first");
            }
            try (SmtpClient client = connectTls(BACKUP_HOST, serverKey.trusted())) {
                assertThat(client.command("EHLO " + BACKUP_NAME).code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<someone@example.net>").code()).isEqualTo(250);
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").code()).isEqualTo(250);
            }
        }

        @Test
        void anyoneElseDeliversInPlaintextButMayNotRelay() throws Exception {
            String subject = subject("plaintext from anyone");
            try (SmtpClient client = connect(LOCAL)) {
                assertThat(client.command("MAIL FROM:<sender@example.net>").toString()).isEqualTo("250 2.1.0 Sender <sender@example.net> OK");
                assertThat(client.command("RCPT TO:<bob@remote.example>").toString())
                    .isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
                assertThat(client.command("RCPT TO:<" + DemoServer.USER + ">").code()).isEqualTo(250);
                assertThat(data(client, "sender@example.net", DemoServer.USER, subject).toString()).isEqualTo("250 2.6.0 Message received");
            }
            assertThat(server.awaitMessage(DemoServer.USER, subject)).contains("Subject: " + subject);
        }

        @Test
        void aTlsRcptEntryKeepsTheMailQueuedAfterQuitBeforeMailFrom() {
            submit("bob@bank.example");
            assertQuitBeforeMailFrom(bank.awaitSessions(1, WAIT).get(0));
            QueueProbe.Queued queued = awaitQueued(server, "bob@bank.example");
            assertThat(queued.retries).isEqualTo(1);
            assertThat(queued.error).isEqualTo("4.7.0 " + host(bank, "mx.bank.example")
                + ": 4.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            assertThat(bank.messages()).isEmpty();
        }

        @Test
        void aPermTlsSrvEntryBouncesAtOnceAfterQuitBeforeMailFrom() {
            submit("bob@secure.example");
            assertQuitBeforeMailFrom(secure.awaitSessions(1, WAIT).get(0));
            assertThat(awaitDsn(server, "bob@secure.example")).contains("Status: 5.7.0 " + host(secure, "mx.secure.example")
                + ": 5.7.0 certificate not trusted: untrusted root CN=Foreign CA,O=Elsewhere");
            assertThat(server.queue(QUEUE)).noneMatch(q -> q.recipients.contains("bob@secure.example"));
            assertThat(secure.messages()).isEmpty();
        }

        @Test
        void aTryTlsNoDestinationGetsTheMailInPlaintext() {
            String subject = submit("bob@legacy.example");
            Received message = awaitMessage(legacy, subject);
            assertThat(message.tls()).isFalse();
            assertThat(legacy.sessions().get(0).transcript()).doesNotContain("STARTTLS");
        }

        @Test
        void aDestinationWithoutAnEntryGetsTheMailOverTlsWhateverItsCertificate() {
            String subject = submit("carol@remote.example");
            assertThat(awaitMessage(remote, subject).tls()).isTrue();
        }
    }
}
