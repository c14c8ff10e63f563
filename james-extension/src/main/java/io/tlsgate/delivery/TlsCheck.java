package io.tlsgate.delivery;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.tlsgate.config.OutboundRule;
import io.tlsgate.pki.CertificateIdentityReader;
import io.tlsgate.pki.ChainVerifier;
import io.tlsgate.pki.ServerName;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.PolicyEvaluator;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.TlsRequirement;

/**
 * The policy check of one connection to one MX: what was negotiated, whether the server certificate verifies and
 * names the right server (the MX host at level verify, the recipient domain at level secure), and the verdict. The
 * last judgement is kept for the log line.
 */
final class TlsCheck {
    private static final ChainVerifier NO_ANCHORS = ChainVerifier.withoutAnchors(Clock.systemUTC());

    private final OutboundRule rule;
    private final String mxName;
    private final String domain;
    private final String peerAddress;
    private final Optional<VerificationCache> verification;
    private TlsPolicySmtpTransport.Judgement last;

    TlsCheck(OutboundRule rule, String mxName, String domain, String peerAddress, Optional<VerificationCache> verification) {
        this.rule = rule;
        this.mxName = mxName;
        this.domain = domain;
        this.peerAddress = peerAddress;
        this.verification = verification;
    }

    boolean requiresTls() {
        return rule.requirement().requiresTls();
    }

    Optional<TlsPolicySmtpTransport.Judgement> last() {
        return Optional.ofNullable(last);
    }

    /** The server offered no STARTTLS. */
    TlsPolicySmtpTransport.Judgement judgePlaintext() {
        return record(facts().build());
    }

    TlsPolicySmtpTransport.Judgement judge(SSLSession session) {
        TlsFacts.Builder facts = facts().tls(session.getProtocol(), session.getCipherSuite());
        List<X509Certificate> chain = chain(session);
        if (chain.isEmpty()) {
            return record(facts.certificateStatus(CertificateStatus.noCertificate()).build());
        }
        try {
            facts.peerChain(CertificateIdentityReader.readChain(chain.toArray(new Certificate[0])));
        } catch (IllegalArgumentException e) {
            return record(facts.certificateStatus(CertificateStatus.failed("unreadable certificate: " + e.getMessage())).build());
        }
        return record(facts.certificateStatus(verify(chain)).build());
    }

    /** Level secure checks the recipient domain; every other level the MX host (and logs that). */
    private CertificateStatus verify(List<X509Certificate> chain) {
        TlsRequirement requirement = rule.requirement();
        TlsRequirement.Level level = requirement.level() == TlsRequirement.Level.FINGERPRINT
            ? TlsRequirement.Level.FINGERPRINT : TlsRequirement.Level.VERIFY;
        ServerName name = requirement.level() == TlsRequirement.Level.SECURE ? ServerName.domain(domain) : ServerName.host(mxName);
        if (verification.isPresent()) {
            return verification.get().verifyServer(chain, level, requirement.certificate(), name);
        }
        return NO_ANCHORS.verifyServer(chain, level, requirement.certificate(), name);
    }

    private TlsFacts.Builder facts() {
        return TlsFacts.builder(Direction.OUTBOUND, peerAddress).peerName(mxName);
    }

    private TlsPolicySmtpTransport.Judgement record(TlsFacts facts) {
        last = new TlsPolicySmtpTransport.Judgement(PolicyEvaluator.evaluate(rule.requirement(), facts), facts);
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
