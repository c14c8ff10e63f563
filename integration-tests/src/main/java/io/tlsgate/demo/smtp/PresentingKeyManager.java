package io.tlsgate.demo.smtp;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * Presents one chain whatever the server's certificate request says, like a misconfigured or hostile peer does:
 * the JDK's own key manager would hold back a certificate the server's CA names or key usage do not fit.
 */
final class PresentingKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "presented";

    private final IssuedCertificate certificate;

    PresentingKeyManager(IssuedCertificate certificate) {
        this.certificate = certificate;
    }

    private String alias(String[] keyTypes) {
        String algorithm = certificate.keyPair().getPrivate().getAlgorithm();
        for (String type : keyTypes) {
            if (type.equals(algorithm) || type.equals("RSASSA-PSS") && algorithm.equals("RSA")) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? certificate.chain().toArray(new X509Certificate[0]) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? certificate.keyPair().getPrivate() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return alias(new String[] {keyType}) == null ? new String[0] : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
