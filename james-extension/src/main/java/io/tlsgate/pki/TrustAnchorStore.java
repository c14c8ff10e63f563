package io.tlsgate.pki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificates a chain may end in: loaded from PEM files, PKCS12 or JKS trust stores, and from the JVM's
 * default trust store only when the configuration asks for it. Immutable once loaded.
 */
public final class TrustAnchorStore {

    /** One file of anchors. */
    public static final class Source {
        final Path path;
        final String type;
        final char[] password;

        /**
         * @param type pem, pkcs12 or jks; empty to go by the file extension (.pem .crt .cer, .p12 .pfx, .jks)
         * @param password for key stores; may be empty (PKCS12 and JKS trust stores can be read without one)
         */
        public Source(Path path, Optional<String> type, Optional<String> password) {
            this.path = path;
            this.type = type.map(t -> t.toLowerCase(Locale.ROOT)).orElseGet(() -> typeOf(path));
            this.password = password.map(String::toCharArray).orElse(null);
        }

        private static String typeOf(Path path) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".pem") || name.endsWith(".crt") || name.endsWith(".cer")) {
                return "pem";
            }
            if (name.endsWith(".p12") || name.endsWith(".pfx")) {
                return "pkcs12";
            }
            if (name.endsWith(".jks")) {
                return "jks";
            }
            return "";
        }
    }

    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> anchors;

    private TrustAnchorStore(List<X509Certificate> certificates) {
        this.certificates = List.copyOf(certificates);
        Set<TrustAnchor> set = new LinkedHashSet<>();
        for (X509Certificate certificate : certificates) {
            set.add(new TrustAnchor(certificate, null));
        }
        this.anchors = Collections.unmodifiableSet(set);
    }

    /**
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, unreadable, wrong
     *     password, no certificate in it, unknown type)
     */
    public static TrustAnchorStore load(List<Source> sources, boolean jvmDefaults) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Source source : sources) {
            List<X509Certificate> loaded = read(source);
            if (loaded.isEmpty()) {
                // A PKCS12 store read without its password shows no certificate at all.
                throw new IllegalArgumentException(source.path + " holds no certificate"
                    + (source.password == null && !source.type.equals("pem") ? " readable without a password; add password=\"...\"" : ""));
            }
            certificates.addAll(loaded);
        }
        if (jvmDefaults) {
            certificates.addAll(jvmDefaultAnchors());
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no trust anchor configured");
        }
        return new TrustAnchorStore(certificates);
    }

    public static TrustAnchorStore of(List<X509Certificate> certificates) {
        return new TrustAnchorStore(certificates);
    }

    public Set<TrustAnchor> anchors() {
        return anchors;
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    public boolean contains(X509Certificate certificate) {
        return certificates.contains(certificate);
    }

    private static List<X509Certificate> read(Source source) {
        if (!Files.isRegularFile(source.path)) {
            throw new IllegalArgumentException(source.path + " does not exist or is not a file");
        }
        if (!Files.isReadable(source.path)) {
            throw new IllegalArgumentException(source.path + " is not readable");
        }
        try (InputStream in = Files.newInputStream(source.path)) {
            switch (source.type) {
                case "pem":
                    return pem(in);
                case "pkcs12":
                case "jks":
                    return keyStore(in, source);
                default:
                    throw new IllegalArgumentException(source.path + ": cannot tell the file type from its name;"
                        + " say type=\"pem\", \"pkcs12\" or \"jks\"");
            }
        } catch (IOException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.security.UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException(source.path + ": wrong password (" + e.getMessage() + ")", e);
            }
            throw new IllegalArgumentException(source.path + ": cannot read it as " + source.type + " (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(source.path + ": cannot read it as " + source.type + " (" + e.getMessage() + ")", e);
        }
    }

    private static List<X509Certificate> pem(InputStream in) throws CertificateException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            certificates.add((X509Certificate) certificate);
        }
        return certificates;
    }

    private static List<X509Certificate> keyStore(InputStream in, Source source) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(source.type.equals("jks") ? "JKS" : "PKCS12");
        store.load(in, source.password);
        List<X509Certificate> certificates = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isCertificateEntry(alias)) {
                certificates.add((X509Certificate) store.getCertificate(alias));
            }
        }
        return certificates;
    }

    private static List<X509Certificate> jvmDefaultAnchors() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    return List.of(((X509TrustManager) manager).getAcceptedIssuers());
                }
            }
            return List.of();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JVM's default trust store", e);
        }
    }
}
