package io.tlsgate.demo.peer;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * The peer's side of STARTTLS. Every connection gets an SSLContext of its own: no session is ever resumed, so every
 * handshake is a full one that shows SNI and the client certificate, and what the key and trust managers witness
 * belongs to that one connection.
 */
final class PeerTls {
    private PeerTls() {
    }

    /** What a handshake showed while it ran, kept even when it then failed. Written and read by one connection thread. */
    static final class Witness {
        private final List<String> sniHostNames = new ArrayList<>();
        private List<X509Certificate> presented = List.of();

        synchronized void sni(String name) {
            sniHostNames.add(name);
        }

        synchronized void presented(X509Certificate[] chain) {
            presented = chain == null ? List.of() : List.of(chain);
        }

        synchronized List<String> sniHostNames() {
            return List.copyOf(sniHostNames);
        }

        synchronized List<X509Certificate> presented() {
            return presented;
        }
    }

    /** Wraps the accepted socket for the server side of a handshake; the handshake itself is the caller's. */
    static SSLSocket wrap(Config config, Socket raw, Witness witness) throws IOException {
        SSLContext context = context(config, witness);
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
        ssl.setUseClientMode(false);
        SSLParameters parameters = ssl.getSSLParameters();
        if (!config.protocols.isEmpty()) {
            parameters.setProtocols(config.protocols.toArray(new String[0]));
        }
        if (!config.cipherSuites.isEmpty()) {
            parameters.setCipherSuites(config.cipherSuites.toArray(new String[0]));
        }
        if (config.clientAuth == Config.ClientAuth.NEED) {
            parameters.setNeedClientAuth(true);
        } else if (config.clientAuth == Config.ClientAuth.WANT) {
            parameters.setWantClientAuth(true);
        }
        parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(SNIServerName name) {
                witness.sni(name instanceof SNIHostName ? ((SNIHostName) name).getAsciiName() : name.toString());
                return true;
            }
        }));
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(raw.getSoTimeout());
        return ssl;
    }

    static Handshake succeeded(SSLSocket ssl, Witness witness) {
        SSLSession session = ssl.getSession();
        List<String> sni = new ArrayList<>();
        if (session instanceof ExtendedSSLSession) {
            for (SNIServerName name : ((ExtendedSSLSession) session).getRequestedServerNames()) {
                sni.add(name instanceof SNIHostName ? ((SNIHostName) name).getAsciiName() : name.toString());
            }
        }
        if (sni.isEmpty()) {
            sni = witness.sniHostNames();
        }
        List<X509Certificate> client = new ArrayList<>();
        try {
            for (java.security.cert.Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    client.add((X509Certificate) certificate);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // the client presented none (or was not asked)
        }
        return Handshake.succeeded(session.getProtocol(), session.getCipherSuite(), sni, client);
    }

    static Handshake failed(Exception failure, Witness witness) {
        return Handshake.failed(describe(failure), witness.sniHostNames(), witness.presented());
    }

    static String describe(Throwable failure) {
        return failure.getClass().getName() + ": " + failure.getMessage();
    }

    private static SSLContext context(Config config, Witness witness) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            X509ExtendedKeyManager keys = new ServingKeyManager(
                config.handshakeFailure == Config.HandshakeFailure.NO_SHARED_CIPHER ? null : config.certificate);
            context.init(new X509ExtendedKeyManager[] {keys}, new TrustManager[] {new ClientTrust(config, witness)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the peer's TLS", e);
        }
    }

    /**
     * Serves the configured chain whatever it is (expired, wrong name, wrong purpose: a test peer shows bad
     * certificates on purpose), for the key types it can sign with; with no certificate it serves nothing, so the
     * handshake fails as with no cipher suite in common.
     */
    private static final class ServingKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "peer";

        private final IssuedCertificate certificate;

        ServingKeyManager(IssuedCertificate certificate) {
            this.certificate = certificate;
        }

        private String alias(String keyType) {
            if (certificate == null || keyType == null) {
                return null;
            }
            String algorithm = certificate.keyPair().getPrivate().getAlgorithm();
            return keyType.equals(algorithm) || keyType.startsWith(algorithm + "_") ? ALIAS : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return alias(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return alias(keyType) == null ? null : new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return certificate != null && ALIAS.equals(alias) ? certificate.chain().toArray(new X509Certificate[0]) : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return certificate != null && ALIAS.equals(alias) ? certificate.keyPair().getPrivate() : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return null;
        }
    }

    /**
     * Records the chain a client presents; under {@code requireClientCertificate} it then checks it (PKIX) against the
     * configured CAs only, under {@code wantClientCertificate} it accepts any. Those CAs are the names the
     * certificate request advertises.
     */
    private static final class ClientTrust extends X509ExtendedTrustManager {
        private final Config config;
        private final Witness witness;

        ClientTrust(Config config, Witness witness) {
            this.config = config;
            this.witness = witness;
        }

        private void check(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            witness.presented(chain);
            if (config.clientAuth != Config.ClientAuth.NEED) {
                return;
            }
            if (config.clientCas.isEmpty()) {
                throw new CertificateException("the peer trusts no CA for client certificates");
            }
            try {
                KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                int n = 0;
                for (X509Certificate ca : config.clientCas) {
                    anchors.setCertificateEntry("ca" + n++, ca);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
                factory.init(anchors);
                for (TrustManager manager : factory.getTrustManagers()) {
                    if (manager instanceof X509ExtendedTrustManager) {
                        ((X509ExtendedTrustManager) manager).checkClientTrusted(chain, authType, socket);
                        return;
                    }
                }
                throw new CertificateException("no PKIX trust manager");
            } catch (GeneralSecurityException | IOException e) {
                if (e instanceof CertificateException) {
                    throw (CertificateException) e;
                }
                throw new CertificateException("cannot check the client certificate", e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, authType, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, authType, null);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("the peer is never a TLS client");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("the peer is never a TLS client");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the peer is never a TLS client");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return config.clientCas.toArray(new X509Certificate[0]);
        }
    }
}
