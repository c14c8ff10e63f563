package io.tlsgate.config;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.RevocationChecker;
import io.tlsgate.pki.TrustAnchorStore;
import io.tlsgate.pki.VerificationCache;

/**
 * Reads the handler's {@code <verification>} element: how TLS Gate verifies client certificates itself.
 *
 * <pre>
 * &lt;verification&gt;
 *   &lt;trustAnchors type="pem|pkcs12|jks" password="..."&gt;file://conf/tls/partner-cas.pem&lt;/trustAnchors&gt;  (repeatable)
 *   &lt;jvmTrustStore&gt;false&lt;/jvmTrustStore&gt;        the JVM's default CAs as anchors too (never by default)
 *   &lt;crl&gt;file://conf/tls/partner-ca.crl&lt;/crl&gt;      (repeatable)
 *   &lt;fetchCrls&gt;false&lt;/fetchCrls&gt;               fetch the CRL distribution points certificates name
 *   &lt;ocsp&gt;false&lt;/ocsp&gt;                         ask the OCSP responders certificates name
 *   &lt;timeoutMillis&gt;3000&lt;/timeoutMillis&gt;         time box of each CRL or OCSP fetch
 *   &lt;cacheSeconds&gt;300&lt;/cacheSeconds&gt;  &lt;cacheSize&gt;10000&lt;/cacheSize&gt;
 * &lt;/verification&gt;
 * </pre>
 * Files are read when James starts: a missing or unreadable file, or a wrong password, stops it.
 */
final class VerificationReader {
    static final String ELEMENT = "verification";
    private static final String TRUST_ANCHORS = "trustAnchors";
    private static final String JVM_TRUST_STORE = "jvmTrustStore";
    private static final String CRL = "crl";
    private static final String FETCH_CRLS = "fetchCrls";
    private static final String OCSP = "ocsp";
    private static final String TIMEOUT_MILLIS = "timeoutMillis";
    private static final String CACHE_SECONDS = "cacheSeconds";
    private static final String CACHE_SIZE = "cacheSize";

    private static final List<String> ELEMENTS = List.of(TRUST_ANCHORS, JVM_TRUST_STORE, CRL, FETCH_CRLS, OCSP, TIMEOUT_MILLIS,
        CACHE_SECONDS, CACHE_SIZE);

    private VerificationReader() {
    }

    static VerificationCache read(ConfigElement verification, FileResolver files, Clock clock) throws PolicyConfigurationException {
        verification.allowAttributes(Set.of());
        Map<String, List<ConfigElement>> children = Values.children(verification, ELEMENT, ELEMENTS, List.of(TRUST_ANCHORS, CRL),
            Map.of(TRUST_ANCHORS, Set.of("type", "password")));
        boolean jvm = flag(children, JVM_TRUST_STORE);
        List<ConfigElement> anchorElements = children.getOrDefault(TRUST_ANCHORS, List.of());
        if (anchorElements.isEmpty() && !jvm) {
            throw verification.error("names no <trustAnchors>: say which CA certificates client certificates must chain to");
        }
        List<TrustAnchorStore.Source> sources = new ArrayList<>();
        for (ConfigElement element : anchorElements) {
            Path path = file(element, files);
            TrustAnchorStore.Source source = new TrustAnchorStore.Source(path, element.attribute("type"), element.attribute("password"));
            try {
                // Each file on its own first, so that an error names the element that holds it.
                TrustAnchorStore.load(List.of(source), false);
            } catch (IllegalArgumentException e) {
                throw element.error(e.getMessage());
            }
            sources.add(source);
        }
        TrustAnchorStore anchors;
        try {
            anchors = TrustAnchorStore.load(sources, jvm);
        } catch (IllegalArgumentException e) {
            throw verification.error(e.getMessage());
        }
        List<Path> crls = new ArrayList<>();
        for (ConfigElement element : children.getOrDefault(CRL, List.of())) {
            crls.add(file(element, files));
        }
        ConfigElement element;
        Duration timeout = Duration.ofMillis((element = Values.first(children, TIMEOUT_MILLIS)) != null
            ? Values.integer(element, 100, 60_000, "milliseconds") : 3000);
        RevocationChecker revocation;
        try {
            revocation = RevocationChecker.of(crls, flag(children, FETCH_CRLS), flag(children, OCSP), timeout, clock);
        } catch (IllegalArgumentException e) {
            // The message names the file; point at the element that holds it.
            ConfigElement culprit = children.get(CRL).get(0);
            for (int i = 0; i < crls.size(); i++) {
                if (e.getMessage().startsWith(crls.get(i).toString())) {
                    culprit = children.get(CRL).get(i);
                }
            }
            throw culprit.error(e.getMessage());
        }
        int cacheSeconds = (element = Values.first(children, CACHE_SECONDS)) != null ? Values.integer(element, 0, 86_400, "seconds") : 300;
        int cacheSize = (element = Values.first(children, CACHE_SIZE)) != null ? Values.integer(element, 1, 10_000_000, "entries") : 10_000;
        return new VerificationCache(new ChainVerifier(anchors, revocation, clock), cacheSize, Duration.ofSeconds(cacheSeconds), clock);
    }

    private static boolean flag(Map<String, List<ConfigElement>> children, String name) throws PolicyConfigurationException {
        ConfigElement element = Values.first(children, name);
        return element != null && Values.bool(element);
    }

    private static Path file(ConfigElement element, FileResolver files) throws PolicyConfigurationException {
        String location = element.text();
        try {
            Path path = files.resolve(location);
            if (!path.toFile().isFile()) {
                throw element.error("'" + location + "' (" + path + ") does not exist or is not a file");
            }
            return path;
        } catch (FileNotFoundException e) {
            throw element.error("'" + location + "' cannot be found (" + e.getMessage() + ")");
        }
    }
}
