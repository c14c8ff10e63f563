package io.tlsgate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.pki.RevocationResponder;
import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.RevocationChecker;
import io.tlsgate.pki.TrustAnchorStore;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.TlsRequirement;

/**
 * Cost of verifying a client certificate chain per session: cold (the chain is new: path building, checks and
 * revocation lookups) and cached (a peer that connects again). Prints a table and the command that made it.
 *
 * <pre>java -cp benchmarks/target/tlsgate-benchmarks.jar io.tlsgate.bench.VerificationBenchmark [sessions]</pre>
 */
public final class VerificationBenchmark {
    private static final TlsRequirement.Level VERIFY = TlsRequirement.Level.VERIFY;

    private VerificationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.create("CN=Bench Root CA,O=TLS Gate Bench");
        CertificateAuthority issuing = root.intermediate("CN=Bench Issuing CA,O=TLS Gate Bench");
        Path dir = Files.createTempDirectory("tlsgate-bench");
        root.writeCrlPem(dir.resolve("root.crl"), root.crl());
        issuing.writeCrlPem(dir.resolve("issuing.crl"), issuing.crl());
        TrustAnchorStore anchors = TrustAnchorStore.of(List.of(root.certificate()));

        try (RevocationResponder responder = RevocationResponder.start()) {
            responder.publish("issuing", issuing);
            System.out.println("Issuing " + 2 * sessions + " client chains (root > issuing CA > leaf, RSA 2048)...");
            List<List<X509Certificate>> plain = chains(issuing, sessions, null);
            List<List<X509Certificate>> withOcsp = chains(issuing, sessions, responder);

            ChainVerifier noRevocation = new ChainVerifier(anchors, RevocationChecker.disabled(), clock);
            ChainVerifier crlFiles = new ChainVerifier(anchors,
                RevocationChecker.of(List.of(dir.resolve("root.crl"), dir.resolve("issuing.crl")), false, false, Duration.ofSeconds(2), clock), clock);
            ChainVerifier ocsp = new ChainVerifier(anchors,
                RevocationChecker.of(List.of(dir.resolve("root.crl")), false, true, Duration.ofSeconds(2), clock), clock);

            List<String[]> rows = new ArrayList<>();
            rows.add(measure("cold, no revocation check", plain, chain -> noRevocation.verify(chain, VERIFY, CertificateRequirement.defaults())));
            rows.add(measure("cold, CRL files", plain, chain -> crlFiles.verify(chain, VERIFY, CertificateRequirement.defaults())));
            rows.add(measure("cold, OCSP on loopback HTTP", withOcsp, chain -> ocsp.verify(chain, VERIFY, CertificateRequirement.defaults())));
            VerificationCache cache = new VerificationCache(crlFiles, 100_000, Duration.ofMinutes(5), clock);
            for (List<X509Certificate> chain : plain) {
                cache.verify(chain, VERIFY, CertificateRequirement.defaults());
            }
            rows.add(measure("cached (same chains again)", plain, chain -> cache.verify(chain, VERIFY, CertificateRequirement.defaults())));

            System.out.println();
            System.out.printf(Locale.ROOT, "%-32s %10s %12s %12s%n", "verification per session", "sessions", "mean (us)", "p99 (us)");
            for (String[] row : rows) {
                System.out.printf(Locale.ROOT, "%-32s %10s %12s %12s%n", (Object[]) row);
            }
            System.out.println();
            System.out.println("java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
            System.out.println("command: java -cp benchmarks/target/tlsgate-benchmarks.jar io.tlsgate.bench.VerificationBenchmark " + sessions);
        }
    }

    private static List<List<X509Certificate>> chains(CertificateAuthority issuing, int count, RevocationResponder ocsp) {
        List<List<X509Certificate>> chains = new ArrayList<>(count);
        // One key for all leaves: generating thousands of RSA keys would take minutes and measures nothing.
        java.security.KeyPair key = issuing.leaf("key.bench.test").issue().keyPair();
        for (int i = 0; i < count; i++) {
            var leaf = issuing.leaf("client" + i + ".bench.test").keyPair(key);
            if (ocsp != null) {
                leaf.ocsp(ocsp.ocspUri("issuing"));
            }
            IssuedCertificate issued = leaf.issue();
            chains.add(issued.chain());
        }
        return chains;
    }

    /** Warms up on the first tenth, then times every call on all chains; fails if any verification is not OK. */
    private static String[] measure(String name, List<List<X509Certificate>> chains, Verification verification) {
        int warmup = Math.max(1, chains.size() / 10);
        for (int i = 0; i < warmup; i++) {
            check(name, verification.verify(chains.get(i)));
        }
        long[] nanos = new long[chains.size()];
        for (int i = 0; i < chains.size(); i++) {
            long start = System.nanoTime();
            CertificateStatus status = verification.verify(chains.get(i));
            nanos[i] = System.nanoTime() - start;
            check(name, status);
        }
        java.util.Arrays.sort(nanos);
        double mean = java.util.Arrays.stream(nanos).average().orElse(0) / 1000.0;
        double p99 = nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1000.0;
        return new String[] {name, String.valueOf(chains.size()), String.format(Locale.ROOT, "%.1f", mean), String.format(Locale.ROOT, "%.1f", p99)};
    }

    private static void check(String name, CertificateStatus status) {
        if (!status.isVerified()) {
            throw new IllegalStateException(name + ": expected OK, got " + status);
        }
    }

    @FunctionalInterface
    private interface Verification {
        CertificateStatus verify(List<X509Certificate> chain);
    }

}
