package io.tlsgate.smtp;

import java.security.cert.Certificate;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.apache.james.protocols.smtp.SMTPSession;

import io.tlsgate.pki.CertificateIdentityReader;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.Direction;
import io.tlsgate.policy.TlsFacts;

/** Reads what an inbound SMTP session negotiated into policy facts. */
final class SessionTlsFacts {
    /**
     * On a stock James listener a client certificate can only be present when the listener's trust manager
     * accepted it (James asks for certificates only with {@code <clientAuth>}, and then requires them).
     */
    static final String VERIFIED_BY_LISTENER = "verified by the listener's truststore";

    private SessionTlsFacts() {
    }

    static TlsFacts read(SMTPSession session, Optional<String> confirmedName) {
        TlsFacts.Builder facts = TlsFacts.builder(Direction.INBOUND, session.getRemoteAddress().getAddress().getHostAddress());
        confirmedName.ifPresent(facts::peerName);
        Optional<SSLSession> ssl = session.isTLSStarted() ? session.getSSLSession() : Optional.empty();
        if (ssl.isEmpty()) {
            return facts.build();
        }
        facts.tls(ssl.get().getProtocol(), ssl.get().getCipherSuite());
        Certificate[] chain;
        try {
            chain = ssl.get().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return facts.certificateStatus(CertificateStatus.noCertificate()).build();
        }
        try {
            facts.peerChain(CertificateIdentityReader.readChain(chain));
        } catch (IllegalArgumentException e) {
            return facts.certificateStatus(CertificateStatus.failed("unreadable certificate: " + e.getMessage())).build();
        }
        return facts.certificateStatus(CertificateStatus.ok(VERIFIED_BY_LISTENER)).build();
    }
}
