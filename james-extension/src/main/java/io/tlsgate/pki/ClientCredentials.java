package io.tlsgate.pki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * A certificate and key of our own, presented to peers that require one (a destination rule's
 * {@code <clientCertificate>}): a PKCS12 or JKS key store with exactly one private-key entry.
 */
public final class ClientCredentials {
    private final KeyManager[] keyManagers;
    private final X509Certificate certificate;
    private final String source;

    private ClientCredentials(KeyManager[] keyManagers, X509Certificate certificate, String source) {
        this.keyManagers = keyManagers;
        this.certificate = certificate;
        this.source = source;
    }

    /**
     * @param type pkcs12 or jks; empty to go by the extension (.p12 .pfx, .jks)
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ClientCredentials load(Path path, Optional<String> type, String password) {
        String storeType = type.map(t -> t.toLowerCase(Locale.ROOT)).orElseGet(() -> {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".jks") ? "jks" : name.endsWith(".p12") || name.endsWith(".pfx") ? "pkcs12" : "";
        });
        if (type.isPresent() && !storeType.equals("pkcs12") && !storeType.equals("jks")) {
            throw new IllegalArgumentException("type=\"" + type.get() + "\" is not a key store type; say type=\"pkcs12\" or \"jks\"");
        }
        if (!storeType.equals("pkcs12") && !storeType.equals("jks")) {
            throw new IllegalArgumentException(path + ": cannot tell the key store type from its name; say type=\"pkcs12\" or \"jks\"");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + " does not exist or is not a file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(storeType.equals("jks") ? "JKS" : "PKCS12");
            store.load(in, password.toCharArray());
            String alias = null;
            for (String candidate : Collections.list(store.aliases())) {
                if (store.isKeyEntry(candidate)) {
                    if (alias != null) {
                        throw new IllegalArgumentException(path + " holds more than one private key; keep the one to present");
                    }
                    alias = candidate;
                }
            }
            if (alias == null) {
                throw new IllegalArgumentException(path + " holds no private key");
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password.toCharArray());
            return new ClientCredentials(factory.getKeyManagers(), (X509Certificate) store.getCertificate(alias), path.toString());
        } catch (IOException e) {
            // Some parse errors come without a message: say what was expected rather than "(null)".
            throw new IllegalArgumentException(path + ": cannot read it as " + storeType + " ("
                + (e.getMessage() == null ? "not a " + storeType + " key store" : e.getMessage()) + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    public KeyManager[] keyManagers() {
        return keyManagers.clone();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return certificate.getSubjectX500Principal().getName() + " (" + source + ")";
    }
}
