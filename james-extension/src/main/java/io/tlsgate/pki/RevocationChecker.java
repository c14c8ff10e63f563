package io.tlsgate.pki;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * Learns whether a certificate is revoked: CRL files first (local and cheap), then the CRL distribution points
 * the certificate names, then its OCSP responders, each when configured. The first definite answer (good or
 * revoked) wins; answers are reused until their nextUpdate, and an unknown status is asked again next time.
 */
public final class RevocationChecker {
    private static final RevocationChecker DISABLED = new RevocationChecker(null, false, null, Clock.systemUTC());

    private final CrlChecker crls;
    private final boolean ocsp;
    private final OcspClient ocspClient;
    private final Clock clock;
    /** Bounded: a busy MX sees many distinct client certificates. */
    private final Cache<String, RevocationStatus> answers = CacheBuilder.newBuilder().maximumSize(100_000).build();

    private RevocationChecker(CrlChecker crls, boolean ocsp, HttpFetcher http, Clock clock) {
        this.crls = crls;
        this.ocsp = ocsp;
        this.ocspClient = ocsp ? new OcspClient(http, clock) : null;
        this.clock = clock;
    }

    /** A checker that checks nothing: revocation is not configured. */
    public static RevocationChecker disabled() {
        return DISABLED;
    }

    /**
     * @param crlFiles CRLs kept by the administrator
     * @param fetchCrls fetch the CRL distribution points certificates name
     * @param ocsp ask the OCSP responders certificates name
     * @throws IllegalArgumentException when a CRL file cannot be read
     */
    public static RevocationChecker of(List<Path> crlFiles, boolean fetchCrls, boolean ocsp, Duration timeout, Clock clock) {
        HttpFetcher http = new HttpFetcher(timeout);
        return of(crlFiles, fetchCrls, ocsp, http, clock);
    }

    static RevocationChecker of(List<Path> crlFiles, boolean fetchCrls, boolean ocsp, HttpFetcher http, Clock clock) {
        return new RevocationChecker(new CrlChecker(crlFiles, fetchCrls, http, clock), ocsp, http, clock);
    }

    /** Changes whenever a CRL file is replaced (see {@link VerificationCache}). */
    public long crlFileGeneration() {
        return crls == null ? 0 : crls.fileGeneration();
    }

    public boolean enabled() {
        return ocsp || crls != null && crls.hasSources();
    }

    public RevocationStatus check(X509Certificate certificate, X509Certificate issuer) {
        if (!enabled()) {
            return RevocationStatus.unknown("revocation checking is not configured");
        }
        // CRL files first and every time, never from the cache: they are re-read when the administrator replaces
        // them, and an answer cached until the old list's nextUpdate would hide a revocation the new one adds.
        Optional<RevocationStatus> fromFiles = crls.checkFiles(certificate, issuer);
        if (fromFiles.isPresent() && fromFiles.get().state() != RevocationStatus.State.UNKNOWN) {
            return fromFiles.get();
        }
        String key = certificate.getIssuerX500Principal().getName() + "#" + certificate.getSerialNumber();
        RevocationStatus known = answers.getIfPresent(key);
        if (known != null && known.validUntil().isAfter(clock.instant())) {
            return known;
        }
        RevocationStatus status = ask(certificate, issuer, fromFiles);
        if (status.state() != RevocationStatus.State.UNKNOWN) {
            answers.put(key, status);
        }
        return status;
    }

    /** The network sources: CRL distribution points, then OCSP responders. */
    private RevocationStatus ask(X509Certificate certificate, X509Certificate issuer, Optional<RevocationStatus> fromFiles) {
        List<String> problems = new ArrayList<>();
        fromFiles.ifPresent(s -> problems.add(s.detail()));
        Optional<RevocationStatus> fromPoints = crls.checkDistributionPoints(certificate, issuer);
        if (fromPoints.isPresent() && fromPoints.get().state() != RevocationStatus.State.UNKNOWN) {
            return fromPoints.get();
        }
        fromPoints.ifPresent(s -> problems.add(s.detail()));
        if (ocsp) {
            List<URI> responders = CertificateExtensions.ocspResponders(certificate);
            for (URI responder : responders) {
                RevocationStatus status = ocspClient.check(certificate, issuer, responder);
                if (status.state() != RevocationStatus.State.UNKNOWN) {
                    return status;
                }
                problems.add(status.detail());
            }
            if (responders.isEmpty()) {
                problems.add("no OCSP responder in the certificate");
            }
        }
        if (problems.isEmpty()) {
            problems.add("no CRL or OCSP responder covers the certificate");
        }
        return RevocationStatus.unknown(String.join("; ", problems));
    }
}
