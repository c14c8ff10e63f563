package io.tlsgate.delivery;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.tlsgate.config.OutboundRule;
import io.tlsgate.pki.CertificateIdentityReader;
import io.tlsgate.pki.ClientCredentials;
import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.ServerName;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CombinedRequirement;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;

/**
 * The policy check of one connection to one MX: what was negotiated, whether the server certificate verifies and
 * names the right server (the MX host at level verify, the recipient domain at level secure), and the verdict. Every
 * applying rule (recipient side and server side, see {@link CombinedRequirement}) judges the same connection. The
 * last judgement is kept for the log line.
 */
final class TlsCheck {
    private static final ChainVerifier NO_ANCHORS = ChainVerifier.withoutAnchors(Clock.systemUTC());

    private final DestinationTable.Rules<OutboundRule> rules;
    private final CombinedRequirement requirement;
    private final String mxName;
    private final String domain;
    private final String peerAddress;
    private final Optional<VerificationCache> verification;
    private final RelayDecisions decisions;
    private TlsPolicySmtpTransport.Judgement last;

    TlsCheck(DestinationTable.Rules<OutboundRule> rules, String mxName, String domain, String peerAddress,
             Optional<VerificationCache> verification) {
        this(rules, mxName, domain, peerAddress, verification, RelayDecisions.NONE);
    }

    /** @param decisions where the verdict on this MX is reported */
    TlsCheck(DestinationTable.Rules<OutboundRule> rules, String mxName, String domain, String peerAddress,
             Optional<VerificationCache> verification, RelayDecisions decisions) {
        this.rules = rules;
        this.requirement = CombinedRequirement.of(rules, OutboundRule::requirement);
        this.mxName = mxName;
        this.domain = domain;
        this.peerAddress = peerAddress;
        this.verification = verification;
        this.decisions = decisions;
    }

    /** The applying rules, as logged: "domain a.example + mx mx.a.example". */
    String rules() {
        return rules.toString();
    }

    boolean requiresTls() {
        return requirement.requiresTls();
    }

    boolean triesStartTls() {
        return requirement.triesStartTls();
    }

    /** Our certificate for the server: the recipient side rule's, else the server side rule's. */
    Optional<ClientCredentials> clientCertificate() {
        return rules.applying().stream().map(m -> m.rule().clientCertificate()).flatMap(Optional::stream).findFirst();
    }

    Optional<TlsPolicySmtpTransport.Judgement> last() {
        return Optional.ofNullable(last);
    }

    /** The server offered no STARTTLS. */
    TlsPolicySmtpTransport.Judgement judgePlaintext() {
        TlsFacts plaintext = facts().build();
        return record(requirement -> plaintext);
    }

    TlsPolicySmtpTransport.Judgement judge(SSLSession session) {
        List<X509Certificate> chain = chain(session);
        // The certificate's verification depends on the requirement (level, anchors, pins, name): once per requirement.
        Map<TlsRequirement, TlsFacts> judged = new IdentityHashMap<>();
        return record(requirement -> judged.computeIfAbsent(requirement, r -> facts(session, chain, r)));
    }

    private TlsFacts facts(SSLSession session, List<X509Certificate> chain, TlsRequirement requirement) {
        TlsFacts.Builder facts = facts().tls(session.getProtocol(), session.getCipherSuite());
        if (chain.isEmpty()) {
            return facts.certificateStatus(CertificateStatus.noCertificate()).build();
        }
        try {
            facts.peerChain(CertificateIdentityReader.readChain(chain.toArray(new Certificate[0])));
        } catch (IllegalArgumentException e) {
            return facts.certificateStatus(CertificateStatus.failed("unreadable certificate: " + e.getMessage())).build();
        }
        return facts.certificateStatus(verify(chain, requirement)).build();
    }

    /** Level secure checks the recipient domain; every other level the MX host (and logs that). */
    private CertificateStatus verify(List<X509Certificate> chain, TlsRequirement requirement) {
        TlsRequirement.Level level = requirement.level() == TlsRequirement.Level.FINGERPRINT
            ? TlsRequirement.Level.FINGERPRINT : TlsRequirement.Level.VERIFY;
        ServerName name = requirement.level() == TlsRequirement.Level.SECURE ? ServerName.domain(domain) : ServerName.host(mxName);
        if (verification.isPresent()) {
            return decisions.verifying(() -> verification.get().verifyServer(chain, level, requirement.certificate(), name));
        }
        return decisions.verifying(() -> NO_ANCHORS.verifyServer(chain, level, requirement.certificate(), name));
    }

    private TlsFacts.Builder facts() {
        return TlsFacts.builder(Direction.OUTBOUND, peerAddress).peerName(mxName);
    }

    private TlsPolicySmtpTransport.Judgement record(java.util.function.Function<TlsRequirement, TlsFacts> facts) {
        CombinedRequirement.Decision decision = requirement.evaluate(facts);
        last = new TlsPolicySmtpTransport.Judgement(decision.verdict(), facts.apply(decision.decidedBy().requirement()),
            decision.decidedBy().rule());
        decisions.judged(domain, mxName, peerAddress, rules(), decision.verdict());
        return last;
    }

    private static List<X509Certificate> chain(SSLSession session) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    chain.add((X509Certificate) certificate);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }
}
