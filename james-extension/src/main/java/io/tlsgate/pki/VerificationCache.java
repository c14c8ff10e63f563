package io.tlsgate.pki;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.TlsRequirement;

/**
 * Remembers verification results per chain and rule, so that a peer that connects again is not verified again
 * (until a CRL file it was checked against is replaced):
 * an acceptance or refusal for {@code ttl} (never beyond the expiry of a certificate of the chain), a "could not check now" for
 * a few seconds only, so that it is retried soon.
 */
public final class VerificationCache {
    private static final Duration TEMPORARY_TTL = Duration.ofSeconds(30);

    private final ChainVerifier verifier;
    private final Duration ttl;
    private final Clock clock;
    private final Cache<Key, Entry> entries;

    public VerificationCache(ChainVerifier verifier, int maxEntries, Duration ttl, Clock clock) {
        this.verifier = verifier;
        this.ttl = ttl;
        this.clock = clock;
        this.entries = CacheBuilder.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS).build();
    }

    public ChainVerifier verifier() {
        return verifier;
    }

    public CertificateStatus verify(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement) {
        return verify(chain, level, requirement, ChainVerifier.Path.TO_CHECK);
    }

    public CertificateStatus verify(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                    ChainVerifier.Path path) {
        return cached(chain, level, requirement, path, null);
    }

    /** A server's chain, named as {@code server} (see {@link ChainVerifier#verifyServer}). */
    public CertificateStatus verifyServer(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                          ServerName server) {
        return cached(chain, level, requirement, ChainVerifier.Path.TO_CHECK, server);
    }

    private CertificateStatus cached(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement,
                                     ChainVerifier.Path path, ServerName server) {
        if (chain.isEmpty()) {
            return CertificateStatus.noCertificate();
        }
        Key key = new Key(chain, level, requirement, path, server);
        Instant now = clock.instant();
        long crls = verifier.crlFileGeneration();
        Entry known = entries.getIfPresent(key);
        if (known != null && known.expires.isAfter(now) && known.crls == crls) {
            return known.status;
        }
        CertificateStatus status = server == null ? verifier.verify(chain, level, requirement, path)
            : verifier.verifyServer(chain, level, requirement, server);
        Instant expires = status.outcome() == CertificateStatus.Outcome.TEMP ? now.plus(TEMPORARY_TTL) : now.plus(ttl);
        Instant notAfter = chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
        entries.put(key, new Entry(status, expires.isAfter(notAfter) ? notAfter : expires, crls));
        return status;
    }

    public long size() {
        return entries.size();
    }

    private static final class Entry {
        final CertificateStatus status;
        final Instant expires;
        /** The CRL files' generation the result was computed with: a replaced CRL file invalidates it. */
        final long crls;

        Entry(CertificateStatus status, Instant expires, long crls) {
            this.status = status;
            this.expires = expires;
            this.crls = crls;
        }
    }

    /**
     * The presented certificates, the level and the rule's checks. Certificates compare by their whole DER
     * ({@link java.security.cert.Certificate#equals}), so no hash collision can alias two chains. Their hash codes are
     * the JDK's, computed over the DER once per certificate object and remembered by it: the JDK's certificate factory
     * hands the TLS layer the same object for the same DER, so a returning peer's chain is not hashed again (hashing
     * ~3 KB of DER on every lookup was most of the cost of a hit).
     */
    private static final class Key {
        private final List<X509Certificate> chain;
        private final TlsRequirement.Level level;
        private final CertificateRequirement requirement;
        private final ChainVerifier.Path path;
        private final ServerName server;
        private final int hash;

        Key(List<X509Certificate> chain, TlsRequirement.Level level, CertificateRequirement requirement, ChainVerifier.Path path,
            ServerName server) {
            this.chain = List.copyOf(chain);
            this.level = level;
            this.requirement = requirement;
            this.path = path;
            this.server = server;
            int h = Objects.hash(level, requirement, path, server);
            for (X509Certificate certificate : this.chain) {
                h = 31 * h + certificate.hashCode();
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key other = (Key) o;
            return other.hash == hash && other.level == level && other.path == path && Objects.equals(other.server, server)
                && other.requirement.equals(requirement) && other.chain.equals(chain);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
