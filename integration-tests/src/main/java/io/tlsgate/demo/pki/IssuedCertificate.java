package io.tlsgate.demo.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** A key pair and its certificate chain (own certificate first), with writers for the formats peers read. */
public final class IssuedCertificate {
    private final KeyPair keyPair;
    private final List<X509Certificate> chain;

    IssuedCertificate(KeyPair keyPair, List<X509Certificate> chain) {
        this.keyPair = keyPair;
        this.chain = List.copyOf(chain);
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    /** A PKCS12 key store with one private-key entry holding this key and chain. */
    public KeyStore toKeyStore(String alias, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, keyPair.getPrivate(), password, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build key store", e);
        }
    }

    public void writePkcs12(Path file, String alias, char[] password) {
        write(toKeyStore(alias, password), file, password);
    }

    /** The chain as PEM, own certificate first (what swaks --tls-cert and openssl -cert take). */
    public void writeCertificatePem(Path file) {
        writeText(file, pem(chain.toArray()));
    }

    /** The private key as unencrypted PKCS#8 PEM (what swaks --tls-key and openssl -key take). */
    public void writePrivateKeyPem(Path file) {
        try {
            writeText(file, pem(new JcaPKCS8Generator(keyPair.getPrivate(), null).generate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static void write(KeyStore store, Path file, char[] password) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    static void writeText(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
