package io.tlsgate.bench.jmh;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
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
import org.openjdk.jmh.annotations.Warmup;

import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.pki.CertificateIdentityReader;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityPattern;
import io.tlsgate.policy.PeerCertificate;
import io.tlsgate.policy.PolicyEvaluator;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsProtocol;
import io.tlsgate.policy.TlsRequirement;
import io.tlsgate.policy.Verdict;

/**
 * The decision the gate makes once per session: a partner rule (verify, 128 bits, TLS 1.2, a DNS name glob and an
 * issuer DN) against a TLS 1.3 session with a verified partner certificate (root, issuing CA, leaf). Three depths:
 * the evaluation alone; the facts built from the negotiated names and the parsed chain, then evaluated; and also
 * reading the chain's identity (names, fingerprints) from the X.509 certificates, as the gate does for every session.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PolicyEvaluationBenchmark {
    private TlsRequirement rule;
    private TlsFacts facts;
    private List<PeerCertificate> peerChain;
    private X509Certificate[] chain;
    private final CertificateStatus verified = CertificateStatus.ok("chain to CN=Bench Root CA");

    @Setup
    public void setUp() {
        CertificateAuthority root = CertificateAuthority.create("CN=Bench Root CA,O=TLS Gate Bench");
        CertificateAuthority issuing = root.intermediate("CN=Bench Issuing CA,O=TLS Gate Bench");
        chain = issuing.leaf("mx1.partners.example").dnsNames("mx1.partners.example", "mx.partners.example").issue().chain()
            .toArray(new X509Certificate[0]);
        rule = TlsRequirement.builder()
            .level(TlsRequirement.Level.VERIFY)
            .minCipherBits(128)
            .minProtocol(TlsProtocol.fromJsseName("TLSv1.2").orElseThrow())
            .require(new IdentityConstraint(IdentityConstraint.Field.DNS_NAME, List.of(IdentityPattern.glob("*.partners.example"))))
            .require(new IdentityConstraint(IdentityConstraint.Field.ISSUER_DN,
                List.of(IdentityPattern.exact("CN=Bench Issuing CA,O=TLS Gate Bench"))))
            .build();
        peerChain = CertificateIdentityReader.readChain(chain);
        facts = facts(peerChain);
        Verdict verdict = PolicyEvaluator.evaluate(rule, facts);
        if (!verdict.accepted()) {
            throw new IllegalStateException("the benchmark session should pass its rule: " + verdict);
        }
    }

    private TlsFacts facts(List<PeerCertificate> certificates) {
        return TlsFacts.builder(Direction.INBOUND, "192.0.2.25").peerName("mx1.partners.example")
            .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384").peerChain(certificates).certificateStatus(verified).build();
    }

    @Benchmark
    public Verdict evaluate() {
        return PolicyEvaluator.evaluate(rule, facts);
    }

    @Benchmark
    public Verdict factsThenEvaluate() {
        return PolicyEvaluator.evaluate(rule, facts(peerChain));
    }

    @Benchmark
    public Verdict readChainFactsThenEvaluate() {
        return PolicyEvaluator.evaluate(rule, facts(CertificateIdentityReader.readChain((Certificate[]) chain)));
    }
}
