package io.tlsgate.demo.pki;

import java.nio.file.Path;
import java.util.List;

/**
 * The demo's PKI, generated at every start: one CA, James's server certificate (localhost, 127.0.0.1), a good
 * partner client certificate and a bad one (same CA, a name outside the partner domain), plus an expired one, a
 * revoked one (on the CA's CRL) and one from a CA nobody trusts. Files are laid out where the conf-samples expect
 * them ({@code conf/tls/}) and where swaks and openssl can read them.
 */
public final class DemoPki {
    /** The keystore password written in conf-samples/inbound-gate/smtpserver.xml. */
    public static final String STORE_PASSWORD = "tlsgate-demo";
    public static final String CA_NAME = "CN=TLS Gate Demo CA,O=TLS Gate Demo";
    public static final String GOOD_CLIENT = "mx1.partners.demo.test";
    public static final String BAD_CLIENT = "mx.elsewhere.demo.test";

    private final CertificateAuthority ca;
    private final IssuedCertificate server;
    private final IssuedCertificate goodClient;
    private final IssuedCertificate badClient;
    private final IssuedCertificate expiredClient;
    private final IssuedCertificate revokedClient;
    private final IssuedCertificate unknownCaClient;
    /** The certificate James's relay presents to destinations that require one (conf/tls/relay-client.p12). */
    private final IssuedCertificate relayClient;
    private final Path tlsDirectory;

    private DemoPki(Path tlsDirectory) {
        this.tlsDirectory = tlsDirectory;
        this.ca = CertificateAuthority.create(CA_NAME);
        this.server = ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
        this.goodClient = ca.issueClient(GOOD_CLIENT, List.of(GOOD_CLIENT));
        this.badClient = ca.issueClient(BAD_CLIENT, List.of(BAD_CLIENT));
        java.time.Instant now = java.time.Instant.now();
        this.expiredClient = ca.leaf("expired.partners.demo.test").dnsNames("expired.partners.demo.test")
            .validity(now.minus(java.time.Duration.ofDays(400)), now.minus(java.time.Duration.ofDays(35))).issue();
        this.revokedClient = ca.leaf("revoked.partners.demo.test").dnsNames("revoked.partners.demo.test").issue();
        ca.revoke(revokedClient.certificate());
        this.unknownCaClient = CertificateAuthority.create("CN=Unknown Demo CA,O=Elsewhere")
            .leaf("mx2.partners.demo.test").dnsNames("mx2.partners.demo.test").withoutIssuerInChain().issue();
        this.relayClient = ca.issueClient("relay.demo.test", List.of("relay.demo.test"));
    }

    /** Generates the PKI and writes it to {@code tlsDirectory}. */
    public static DemoPki generate(Path tlsDirectory) {
        DemoPki pki = new DemoPki(tlsDirectory);
        pki.write();
        return pki;
    }

    private void write() {
        char[] password = STORE_PASSWORD.toCharArray();
        server.writePkcs12(serverKeyStore(), "james", password);
        ca.writeTrustStore(clientTrustStore(), password);
        ca.writeCertificatePem(caCertificate());
        goodClient.writeCertificatePem(certificateFile("good-client"));
        goodClient.writePrivateKeyPem(keyFile("good-client"));
        badClient.writeCertificatePem(certificateFile("bad-client"));
        badClient.writePrivateKeyPem(keyFile("bad-client"));
        ca.writeCrlPem(tlsDirectory.resolve("ca.crl"), ca.crl());
        relayClient.writePkcs12(tlsDirectory.resolve("relay-client.p12"), "relay", password);
        for (String who : List.of("expired-client", "revoked-client", "unknown-ca-client")) {
            IssuedCertificate certificate = client(who);
            certificate.writeCertificatePem(certificateFile(who));
            certificate.writePrivateKeyPem(keyFile(who));
        }
    }

    /** A client certificate by file name: good-client, bad-client, expired-client, revoked-client, unknown-ca-client. */
    public IssuedCertificate client(String who) {
        switch (who) {
            case "good-client":
                return goodClient;
            case "bad-client":
                return badClient;
            case "expired-client":
                return expiredClient;
            case "revoked-client":
                return revokedClient;
            case "unknown-ca-client":
                return unknownCaClient;
            default:
                throw new IllegalArgumentException("no demo client certificate " + who);
        }
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public IssuedCertificate goodClient() {
        return goodClient;
    }

    public IssuedCertificate badClient() {
        return badClient;
    }

    public Path serverKeyStore() {
        return tlsDirectory.resolve("server.p12");
    }

    public Path clientTrustStore() {
        return tlsDirectory.resolve("client-ca.p12");
    }

    public Path caCertificate() {
        return tlsDirectory.resolve("ca.crt");
    }

    public Path certificateFile(String who) {
        return tlsDirectory.resolve(who + ".crt");
    }

    public Path keyFile(String who) {
        return tlsDirectory.resolve(who + ".key");
    }
}
