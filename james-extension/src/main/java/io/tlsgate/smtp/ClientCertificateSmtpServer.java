package io.tlsgate.smtp;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.protocols.api.ClientAuth;
import org.apache.james.protocols.lib.SslConfig;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetricsImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.pki.TrustAnchorStore;
import nl.altindag.ssl.util.PemUtils;

/**
 * A James SMTP listener, configured with the standard {@code <smtpserver>} schema and running the standard handler
 * chain, whose TLS asks for a client certificate without requiring one (James 3.8.1 can only require one).
 * {@code <tls><clientAuth><truststore>} names the CAs advertised in the certificate request; the certificate itself
 * is judged by the TLS Gate handler, so a client without one, or with an unacceptable one, gets an SMTP reply
 * instead of a TLS alert.
 */
class ClientCertificateSmtpServer extends SMTPServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientCertificateSmtpServer.class);

    private final FileSystem files;
    private SslConfig tls;
    private String name;

    ClientCertificateSmtpServer(SmtpMetricsImpl metrics, FileSystem files) {
        super(metrics);
        this.files = files;
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        super.doConfigure(configuration);
        // The parent keeps its parsed <tls> private; parse our own copy of the same element.
        this.tls = SslConfig.parse(configuration);
        this.name = configuration.getString("jmxName", "smtpserver");
        if (!tls.useStartTLS() && !tls.useSSL()) {
            throw new ConfigurationException("TLS Gate listener " + name + ": <tls> sets neither startTLS=\"true\" nor"
                + " socketTLS=\"true\"; a listener that asks for client certificates needs TLS");
        }
        requireGate(configuration);
    }

    /**
     * This listener accepts any client certificate at the TLS layer: without the gate in its chain, nothing would
     * judge them. Refused outright; and a gate without {@code <verification>} can verify nothing here (only pins).
     */
    private void requireGate(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        for (HierarchicalConfiguration<ImmutableNode> handler : configuration.configurationsAt("handlerchain.handler")) {
            if (InboundTlsGate.class.getName().equals(handler.getString("[@class]"))) {
                // Rules in a <policy> file carry their own <verification> (and may gain or lose it on reload).
                if (handler.configurationsAt("verification").isEmpty() && !handler.containsKey("policy")) {
                    LOGGER.warn("TLS Gate listener {}: its gate has no <verification>, so no client certificate can count as"
                        + " verified here (pins, level fingerprint, still work)", name);
                }
                return;
            }
        }
        throw new ConfigurationException("TLS Gate listener " + name + ": its <handlerchain> has no <handler class=\""
            + InboundTlsGate.class.getName() + "\">; this listener accepts any client certificate at the TLS layer and"
            + " relies on the gate to judge it");
    }

    @Override
    protected void buildSSLContext() throws Exception {
        List<java.security.cert.X509Certificate> advertised = advertisedAuthorities();
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(), new TrustManager[] {new RecordingTrustManager(advertised)}, null);
        AskingListeners.register(context);
        encryption = tls.useStartTLS()
            ? Encryption.createStartTls(context, tls.getEnabledCipherSuites(), tls.getEnabledProtocols(), ClientAuth.WANT)
            : Encryption.createTls(context, tls.getEnabledCipherSuites(), tls.getEnabledProtocols(), ClientAuth.WANT);
        LOGGER.info("TLS Gate listener {} asks for client certificates ({}), advertising {} CA name(s)",
            name, tls.useStartTLS() ? "STARTTLS" : "implicit TLS", advertised.size());
    }

    String name() {
        return name;
    }

    private KeyManager[] keyManagers() throws Exception {
        char[] secret = Optional.ofNullable(tls.getSecret()).orElse("").toCharArray();
        if (tls.getKeystore() != null) {
            KeyStore store = KeyStore.getInstance(tls.getKeystoreType());
            try (InputStream in = files.getResource(tls.getKeystore())) {
                store.load(in, secret);
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, secret);
            return factory.getKeyManagers();
        }
        try (InputStream certificates = files.getResource(tls.getCertificates()); InputStream key = files.getResource(tls.getPrivateKey())) {
            return new KeyManager[] {PemUtils.loadIdentityMaterial(certificates, key, tls.getSecret() == null ? null : secret)};
        }
    }

    /** The CAs of {@code <clientAuth><truststore>}, read with its own truststoreType (James reuses the keystoreType). */
    private List<java.security.cert.X509Certificate> advertisedAuthorities() throws Exception {
        if (tls.getTruststore() == null) {
            return List.of();
        }
        Path path = files.getFile(tls.getTruststore()).toPath();
        Optional<String> type = Optional.ofNullable(tls.getTruststoreType()).filter(t -> !t.isBlank());
        Optional<String> password = Optional.ofNullable(tls.getTruststoreSecret()).map(String::new);
        try {
            return TrustAnchorStore.load(List.of(new TrustAnchorStore.Source(path, type, password)), false).certificates();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("TLS Gate listener " + name + ": <clientAuth><truststore>: " + e.getMessage(), e);
        }
    }
}
