package io.tlsgate.demo.smtp;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.tlsgate.demo.pki.IssuedCertificate;

/** How the test client does TLS: whom it trusts, which certificate it shows, which protocols and suites it offers. */
public final class TlsOptions {
    private final X509Certificate trustAnchor;
    private final IssuedCertificate clientCertificate;
    private final List<String> protocols;
    private final List<String> cipherSuites;

    private TlsOptions(X509Certificate trustAnchor, IssuedCertificate clientCertificate, List<String> protocols, List<String> cipherSuites) {
        this.trustAnchor = trustAnchor;
        this.clientCertificate = clientCertificate;
        this.protocols = List.copyOf(protocols);
        this.cipherSuites = List.copyOf(cipherSuites);
    }

    /**
     * Trusts the given CA for the server certificate; no client certificate; JDK default protocols and suites. A
     * client certificate, when added, is presented whatever the server's certificate request says.
     */
    public static TlsOptions trusting(X509Certificate anchor) {
        return new TlsOptions(anchor, null, List.of(), List.of());
    }

    public TlsOptions withClientCertificate(IssuedCertificate certificate) {
        return new TlsOptions(trustAnchor, certificate, protocols, cipherSuites);
    }

    public TlsOptions withProtocols(String... names) {
        return new TlsOptions(trustAnchor, clientCertificate, List.of(names), cipherSuites);
    }

    public TlsOptions withCipherSuites(String... names) {
        return new TlsOptions(trustAnchor, clientCertificate, protocols, List.of(names));
    }

    List<String> protocols() {
        return protocols;
    }

    List<String> cipherSuites() {
        return cipherSuites;
    }

    Optional<IssuedCertificate> clientCertificate() {
        return Optional.ofNullable(clientCertificate);
    }

    SSLContext context() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("anchor", trustAnchor);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(clientCertificate == null ? null : new KeyManager[] {new PresentingKeyManager(clientCertificate)},
                tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up client TLS", e);
        }
    }
}
