package io.tlsgate.smtp;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.apache.james.protocols.smtp.SMTPSession;

import io.tlsgate.pki.CertificateIdentityReader;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.TlsFacts;

/** Reads what an inbound SMTP session negotiated into policy facts. */
final class SessionTlsFacts {
    private SessionTlsFacts() {
    }

    /**
     * @param verify how the presented chain is judged (called only when the client presented certificates)
     */
    static TlsFacts read(SMTPSession session, Optional<String> confirmedName,
                         Function<List<X509Certificate>, CertificateStatus> verify) {
        TlsFacts.Builder facts = TlsFacts.builder(Direction.INBOUND, session.getRemoteAddress().getAddress().getHostAddress());
        confirmedName.ifPresent(facts::peerName);
        Optional<SSLSession> ssl = tlsSession(session);
        if (ssl.isEmpty()) {
            return facts.build();
        }
        facts.tls(ssl.get().getProtocol(), ssl.get().getCipherSuite());
        List<X509Certificate> chain = chain(ssl.get());
        if (chain.isEmpty()) {
            return facts.certificateStatus(CertificateStatus.noCertificate()).build();
        }
        try {
            facts.peerChain(CertificateIdentityReader.readChain(chain.toArray(new Certificate[0])));
        } catch (IllegalArgumentException e) {
            return facts.certificateStatus(CertificateStatus.failed("unreadable certificate: " + e.getMessage())).build();
        }
        return facts.certificateStatus(verify.apply(chain)).build();
    }

    static Optional<SSLSession> tlsSession(SMTPSession session) {
        return session.isTLSStarted() ? session.getSSLSession() : Optional.empty();
    }

    /** The client's certificates, its own first; empty when it sent none. */
    static List<X509Certificate> chain(SSLSession ssl) {
        Certificate[] certificates;
        try {
            certificates = ssl.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
        List<X509Certificate> chain = new ArrayList<>(certificates.length);
        for (Certificate certificate : certificates) {
            if (!(certificate instanceof X509Certificate)) {
                return List.of();
            }
            chain.add((X509Certificate) certificate);
        }
        return chain;
    }
}
