package io.tlsgate.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import com.google.common.net.InetAddresses;

/**
 * The TLS of one delivery attempt (or of one connection, reused). It lets every server certificate through the handshake (the policy judges it
 * right after, and then sends QUIT instead of dropping the connection), sends the MX host name as SNI (javax.mail
 * only knows the address it connected to), presents our own certificate when the rule has one, and remembers the
 * socket so that the transport can read what was negotiated.
 */
final class PolicySocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String serverName;
    private volatile SSLSocket last;

    /**
     * @param serverName the MX host name, used for SNI when it is a name (James's DNS gives MX names with a trailing dot)
     * @param context made by {@link #context(KeyManager[])}: it may serve many connections
     */
    PolicySocketFactory(String serverName, SSLContext context) {
        // SNI carries the name without its trailing dot (RFC 6066); SNIHostName refuses one.
        this.serverName = serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
        this.delegate = context.getSocketFactory();
    }

    /** The TLS context of the relay's connections: every certificate through the handshake, ours if we have one. */
    static SSLContext context(KeyManager[] keyManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new TrustManager[] {ACCEPT_AND_JUDGE_LATER}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    SSLSocket lastSocket() {
        return last;
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return remember(delegate.createSocket(socket, serverName, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return remember(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return remember(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return remember(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return remember(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public Socket createSocket() throws IOException {
        return remember(delegate.createSocket());
    }

    private Socket remember(Socket socket) {
        SSLSocket ssl = (SSLSocket) socket;
        if (!InetAddresses.isInetAddress(serverName)) {
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            ssl.setSSLParameters(parameters);
        }
        last = ssl;
        return ssl;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    /** The handshake never fails on the certificate: the policy decides after it, with a reason and a QUIT. */
    private static final X509TrustManager ACCEPT_AND_JUDGE_LATER = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // Not a server.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Judged by the policy once the handshake is done.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
