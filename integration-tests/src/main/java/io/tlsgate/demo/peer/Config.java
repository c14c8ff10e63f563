package io.tlsgate.demo.peer;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import io.tlsgate.demo.pki.IssuedCertificate;

/** What a {@link SmtpPeer.Builder} was told, frozen when the peer starts. */
final class Config {
    enum ClientAuth { NONE, WANT, NEED }

    enum HandshakeFailure { NONE, NO_SHARED_CIPHER, CLOSE_AFTER_CLIENT_HELLO }

    final InetAddress address;
    final int port;
    final IssuedCertificate certificate;
    final boolean advertiseStartTls;
    final boolean advertiseAuth;
    final List<String> protocols;
    final List<String> cipherSuites;
    final boolean dropAfterStartTls;
    final HandshakeFailure handshakeFailure;
    final ClientAuth clientAuth;
    final List<X509Certificate> clientCas;
    final String greeting;
    final String ehloName;
    final Duration readTimeout;
    final long maxMessageSize;

    Config(SmtpPeer.Builder builder) {
        this.address = builder.address;
        this.port = builder.port;
        this.certificate = builder.certificate;
        this.advertiseStartTls = builder.advertiseStartTls;
        this.advertiseAuth = builder.advertiseAuth;
        this.protocols = List.copyOf(builder.protocols);
        this.cipherSuites = List.copyOf(builder.cipherSuites);
        this.dropAfterStartTls = builder.dropAfterStartTls;
        this.handshakeFailure = builder.handshakeFailure;
        this.clientAuth = builder.clientAuth;
        this.clientCas = List.copyOf(builder.clientCas);
        this.greeting = builder.greeting;
        this.ehloName = builder.ehloName;
        this.readTimeout = builder.readTimeout;
        this.maxMessageSize = builder.maxMessageSize;
    }

    /** Whether STARTTLS ends in a handshake the peer can complete (it has a certificate and is not told to fail). */
    boolean canHandshake() {
        return certificate != null && !dropAfterStartTls && handshakeFailure == HandshakeFailure.NONE;
    }
}
