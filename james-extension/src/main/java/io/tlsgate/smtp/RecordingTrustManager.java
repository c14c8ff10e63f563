package io.tlsgate.smtp;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a listener that asks for client certificates: it accepts whatever chain the client
 * presents (TLS still proves the client holds the key), so that the handshake completes and the gate can decide
 * at the SMTP level, per client, with a reason. Its accepted issuers are the CA names sent in the certificate
 * request, which guide clients that hold several certificates.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {
    private final X509Certificate[] advertised;

    RecordingTrustManager(List<X509Certificate> advertised) {
        this.advertised = advertised.toArray(new X509Certificate[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // Accepted here, verified by the gate at the first command after the handshake.
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // As above.
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // As above.
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a listener does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a listener does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a listener does not verify servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return advertised.clone();
    }
}
