package io.tlsgate.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation by CRL: from files the administrator keeps up to date (re-read when they change) and, when enabled,
 * from the HTTP distribution points certificates name (cached until the CRL's nextUpdate). A CRL counts only
 * when the issuer signed it and it is not past its nextUpdate.
 */
final class CrlChecker {
    private static final Logger LOGGER = LoggerFactory.getLogger(CrlChecker.class);
    /** How long a fetched CRL without nextUpdate is reused. */
    private static final Duration DEFAULT_VALIDITY = Duration.ofHours(1);

    private final List<CrlFile> files;
    private final boolean fetchDistributionPoints;
    private final HttpFetcher http;
    private final Clock clock;
    private final Map<URI, X509CRL> fetched = new ConcurrentHashMap<>();

    /** @throws IllegalArgumentException when a CRL file is missing or is not a CRL */
    CrlChecker(List<Path> files, boolean fetchDistributionPoints, HttpFetcher http, Clock clock) {
        this.files = new ArrayList<>();
        for (Path file : files) {
            this.files.add(new CrlFile(file));
        }
        this.fetchDistributionPoints = fetchDistributionPoints;
        this.http = http;
        this.clock = clock;
    }

    boolean hasSources() {
        return !files.isEmpty() || fetchDistributionPoints;
    }

    /**
     * Re-reads CRL files that changed and counts the changes: verification results cached before a change must
     * not hide a revocation the new list adds.
     */
    long fileGeneration() {
        long generation = 0;
        for (CrlFile file : files) {
            file.current();
            generation += file.generation;
        }
        return generation;
    }

    /** What the CRL files say; empty when none covers the certificate. Cheap (the files are in memory): ask every time. */
    Optional<RevocationStatus> checkFiles(X509Certificate certificate, X509Certificate issuer) {
        List<String> problems = new ArrayList<>();
        for (CrlFile file : files) {
            X509CRL crl = file.current();
            if (crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal())) {
                RevocationStatus status = lookup(crl, certificate, issuer, "CRL " + file.path.getFileName());
                if (status.state() != RevocationStatus.State.UNKNOWN) {
                    return Optional.of(status);
                }
                problems.add(status.detail());
            }
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(RevocationStatus.unknown(String.join("; ", problems)));
    }

    /** What the certificate's CRL distribution points say; empty when fetching is off or it names none. */
    Optional<RevocationStatus> checkDistributionPoints(X509Certificate certificate, X509Certificate issuer) {
        List<String> problems = new ArrayList<>();
        if (fetchDistributionPoints) {
            for (URI point : CertificateExtensions.crlDistributionPoints(certificate)) {
                try {
                    RevocationStatus status = lookup(fetch(point), certificate, issuer, "CRL " + point);
                    if (status.state() != RevocationStatus.State.UNKNOWN) {
                        return Optional.of(status);
                    }
                    problems.add(status.detail());
                } catch (IOException e) {
                    problems.add("CRL " + point + " unreachable: " + e.getMessage());
                } catch (GeneralSecurityException e) {
                    problems.add("CRL " + point + " is not a usable CRL: " + e.getMessage());
                }
            }
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(RevocationStatus.unknown(String.join("; ", problems)));
    }

    private RevocationStatus lookup(X509CRL crl, X509Certificate certificate, X509Certificate issuer, String source) {
        try {
            crl.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException e) {
            return RevocationStatus.unknown(source + " is not signed by " + issuer.getSubjectX500Principal().getName());
        }
        Instant now = clock.instant();
        Instant nextUpdate = crl.getNextUpdate() == null ? now.plus(DEFAULT_VALIDITY) : crl.getNextUpdate().toInstant();
        if (nextUpdate.isBefore(now)) {
            return RevocationStatus.unknown(source + " is stale (next update was " + nextUpdate + ")");
        }
        X509CRLEntry entry = crl.getRevokedCertificate(certificate);
        if (entry == null) {
            return RevocationStatus.good(source, nextUpdate);
        }
        String reason = entry.getRevocationReason() == null ? "" : RevocationReasons.name(entry.getRevocationReason().ordinal());
        return RevocationStatus.revoked(source, entry.getRevocationDate().toInstant(), reason, nextUpdate);
    }

    private X509CRL fetch(URI point) throws IOException, GeneralSecurityException {
        X509CRL cached = fetched.get(point);
        Instant now = clock.instant();
        if (cached != null && (cached.getNextUpdate() == null || cached.getNextUpdate().toInstant().isAfter(now))) {
            return cached;
        }
        X509CRL crl = parse(new ByteArrayInputStream(http.get(point)));
        fetched.put(point, crl);
        return crl;
    }

    static X509CRL parse(InputStream in) throws GeneralSecurityException {
        CRL crl = CertificateFactory.getInstance("X.509").generateCRL(in);
        if (!(crl instanceof X509CRL)) {
            throw new GeneralSecurityException("not an X.509 CRL");
        }
        return (X509CRL) crl;
    }

    /** A CRL file, re-read when its modification time changes; a bad new version keeps the old one in force. */
    private static final class CrlFile {
        final Path path;
        private volatile X509CRL crl;
        private volatile FileTime modified;
        private volatile long generation;

        CrlFile(Path path) {
            this.path = path;
            try {
                this.modified = Files.getLastModifiedTime(path);
                this.crl = read(path);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException(path + ": not a readable CRL (" + e.getMessage() + ")", e);
            }
        }

        X509CRL current() {
            try {
                FileTime now = Files.getLastModifiedTime(path);
                if (!now.equals(modified)) {
                    X509CRL fresh = read(path);
                    crl = fresh;
                    modified = now;
                    generation++;
                    LOGGER.info("TLS Gate re-read CRL {} (issuer {}, next update {})", path, fresh.getIssuerX500Principal(), fresh.getNextUpdate());
                }
            } catch (IOException | GeneralSecurityException e) {
                LOGGER.warn("TLS Gate keeps the previous CRL from {}: the file cannot be read now ({})", path, e.getMessage());
            }
            return crl;
        }

        private static X509CRL read(Path path) throws IOException, GeneralSecurityException {
            try (InputStream in = Files.newInputStream(path)) {
                return parse(in);
            }
        }
    }
}
