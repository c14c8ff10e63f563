package io.tlsgate.demo.peer;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What one STARTTLS handshake on the {@link SmtpPeer} came to: the negotiated protocol and suite, the SNI host names
 * the client sent, the certificate chain it presented (if any), or why the handshake failed. Immutable.
 */
public final class Handshake {
    private final String protocol;
    private final String cipherSuite;
    private final List<String> sniHostNames;
    private final List<X509Certificate> clientCertificates;
    private final String failure;

    private Handshake(String protocol, String cipherSuite, List<String> sniHostNames, List<X509Certificate> clientCertificates,
                      String failure) {
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.sniHostNames = List.copyOf(sniHostNames);
        this.clientCertificates = List.copyOf(clientCertificates);
        this.failure = failure;
    }

    static Handshake succeeded(String protocol, String cipherSuite, List<String> sniHostNames, List<X509Certificate> clientCertificates) {
        return new Handshake(protocol, cipherSuite, sniHostNames, clientCertificates, null);
    }

    static Handshake failed(String failure, List<String> sniHostNames, List<X509Certificate> clientCertificates) {
        return new Handshake("", "", sniHostNames, clientCertificates, failure);
    }

    public boolean succeeded() {
        return failure == null;
    }

    /** "TLSv1.3", "TLSv1.2", ...; "" when the handshake failed. */
    public String protocol() {
        return protocol;
    }

    /** "TLS_AES_128_GCM_SHA256", ...; "" when the handshake failed. */
    public String cipherSuite() {
        return cipherSuite;
    }

    /**
     * The host names the client asked for by SNI; known for failed handshakes too, once the client's hello was read.
     * Empty when it sent none: note that a JDK client sends SNI on its own only for a host name with a dot in it (not
     * for an address, nor for "localhost"); otherwise it must set {@code SSLParameters.setServerNames} itself.
     */
    public List<String> sniHostNames() {
        return sniHostNames;
    }

    /**
     * The chain the client presented, own certificate first; empty when it presented none or was not asked. For a
     * failed handshake, the chain that was presented and refused (if it got that far).
     */
    public List<X509Certificate> clientCertificates() {
        return clientCertificates;
    }

    /** Why the handshake failed (exception class and message, as the peer's JDK saw it); empty when it succeeded. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        String client = clientCertificates.isEmpty() ? "no client certificate"
            : "client " + clientCertificates.get(0).getSubjectX500Principal().getName();
        return (succeeded() ? protocol + " " + cipherSuite : "failed: " + failure) + ", SNI " + sniHostNames + ", " + client;
    }
}
