package io.tlsgate.demo.pki;

import java.nio.file.Path;
import java.util.List;

/**
 * The demo's PKI, generated at every start: one CA, James's server certificate (localhost, 127.0.0.1), a good
 * partner client certificate and a bad one (same CA, a name outside the partner domain). Files are laid out
 * where the conf-samples expect them ({@code conf/tls/}) and where swaks and openssl can read them.
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
    private final Path tlsDirectory;

    private DemoPki(Path tlsDirectory) {
        this.tlsDirectory = tlsDirectory;
        this.ca = CertificateAuthority.create(CA_NAME);
        this.server = ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
        this.goodClient = ca.issueClient(GOOD_CLIENT, List.of(GOOD_CLIENT));
        this.badClient = ca.issueClient(BAD_CLIENT, List.of(BAD_CLIENT));
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
