package io.tlsgate.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.RevocationChecker;
import io.tlsgate.pki.TrustAnchorStore;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.TlsRequirement;

/**
 * Verifying a client chain (root, issuing CA, RSA-2048 leaf) per session: cold (full verification by
 * {@link ChainVerifier}: JDK PKIX path, dates, keys, purposes, and the CA's CRL files when configured) and cached
 * ({@link VerificationCache}: the same chain and rule again, as when a peer reconnects). Each call takes the next of
 * 256 distinct chains (distinct peers); all of them verify OK, checked at set-up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ChainVerificationBenchmark {
    private static final int CHAINS = 256;
    private static final TlsRequirement.Level VERIFY = TlsRequirement.Level.VERIFY;
    private static final CertificateRequirement RULE = CertificateRequirement.defaults();

    private final List<List<X509Certificate>> chains = new ArrayList<>();
    private Path directory;
    private ChainVerifier noRevocation;
    private ChainVerifier crlFiles;
    private VerificationCache cachedNoRevocation;
    private VerificationCache cachedCrlFiles;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.create("CN=Bench Root CA,O=TLS Gate Bench");
        CertificateAuthority issuing = root.intermediate("CN=Bench Issuing CA,O=TLS Gate Bench");
        directory = Files.createTempDirectory("tlsgate-jmh-verification");
        root.writeCrlPem(directory.resolve("root.crl"), root.crl());
        issuing.writeCrlPem(directory.resolve("issuing.crl"), issuing.crl());
        // One key for all leaves: generating RSA keys measures nothing here.
        KeyPair key = issuing.leaf("key.bench.test").issue().keyPair();
        for (int i = 0; i < CHAINS; i++) {
            chains.add(issuing.leaf("client" + i + ".bench.test").dnsNames("client" + i + ".bench.test").keyPair(key).issue().chain());
        }
        TrustAnchorStore anchors = TrustAnchorStore.of(List.of(root.certificate()));
        noRevocation = new ChainVerifier(anchors, RevocationChecker.disabled(), clock);
        crlFiles = new ChainVerifier(anchors, RevocationChecker.of(List.of(directory.resolve("root.crl"), directory.resolve("issuing.crl")),
            false, false, Duration.ofSeconds(2), clock), clock);
        cachedNoRevocation = new VerificationCache(noRevocation, 10_000, Duration.ofMinutes(5), clock);
        cachedCrlFiles = new VerificationCache(crlFiles, 10_000, Duration.ofMinutes(5), clock);
        for (List<X509Certificate> chain : chains) {
            check(noRevocation.verify(chain, VERIFY, RULE));
            check(crlFiles.verify(chain, VERIFY, RULE));
            check(cachedNoRevocation.verify(chain, VERIFY, RULE));
            check(cachedCrlFiles.verify(chain, VERIFY, RULE));
        }
    }

    private static void check(CertificateStatus status) {
        if (!status.isVerified()) {
            throw new IllegalStateException("every benchmark chain should verify, got " + status);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        for (String file : List.of("root.crl", "issuing.crl")) {
            Files.deleteIfExists(directory.resolve(file));
        }
        Files.deleteIfExists(directory);
    }

    private List<X509Certificate> nextChain() {
        return chains.get(next++ & (CHAINS - 1));
    }

    @Benchmark
    public CertificateStatus coldNoRevocation() {
        return noRevocation.verify(nextChain(), VERIFY, RULE);
    }

    @Benchmark
    public CertificateStatus coldCrlFiles() {
        return crlFiles.verify(nextChain(), VERIFY, RULE);
    }

    @Benchmark
    public CertificateStatus cachedNoRevocation() {
        return cachedNoRevocation.verify(nextChain(), VERIFY, RULE);
    }

    @Benchmark
    public CertificateStatus cachedCrlFiles() {
        return cachedCrlFiles.verify(nextChain(), VERIFY, RULE);
    }
}
