package io.tlsgate.delivery;

import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.HostAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.hash.Hashing;
import com.sun.mail.util.MailConnectException;

import io.tlsgate.config.OutboundPolicy;
import io.tlsgate.config.OutboundRule;
import io.tlsgate.policy.DestinationTable;
import io.tlsgate.policy.PeerCertificate;
import io.tlsgate.policy.TlsFacts;
import io.tlsgate.policy.Verdict;

/**
 * Probes one MX address as the relay connects to it ({@link TlsCheck}, {@link PolicySocketFactory},
 * {@link TlsPolicySmtpTransport}, the relay's session properties): EHLO, STARTTLS when the rules try it, the policy's
 * judgement, QUIT. The transport is only connected, never given a message, so it never sends MAIL FROM; no credentials
 * are given, so it never sends AUTH.
 */
@SuppressWarnings("deprecation") // HostAddress is what James's DNS helper gives
final class HostProbe {
    private static final Logger LOGGER = LoggerFactory.getLogger(HostProbe.class);

    private final RemoteDeliveryConfiguration configuration;
    private final Duration deadline;

    /** @param deadline for the whole dialogue with one address, however the server trickles its replies */
    HostProbe(RemoteDeliveryConfiguration configuration, Duration deadline) {
        this.configuration = configuration;
        this.deadline = deadline;
    }

    ProbedHost probe(HostAddress host, ProbeTarget target, OutboundPolicy policy) {
        String domain = target.recipientDomain();
        String mxName = MxDelivery.hostName(host);
        String address = literal(host.getHost());
        DestinationTable.Rules<OutboundRule> rules = MxDelivery.rules(policy, Optional.ofNullable(target.getRecipient()).orElse(""),
            domain, host);
        TlsCheck check = new TlsCheck(rules, mxName, domain, host.getHost(), policy.verification());
        PolicySocketFactory sockets = new PolicySocketFactory(host.getHostName(), PolicySocketFactory.context(check.clientCertificate().map(c -> c.keyManagers()).orElse(null)));
        ProbeCutoff cutoff = new ProbeCutoff(deadline);
        java.util.Properties properties = PolicySessionProperties.of(configuration, check, sockets, false);
        properties.put("mail.smtp.socketFactory", cutoff);
        Session session = Session.getInstance(properties);
        TlsPolicySmtpTransport transport = new TlsPolicySmtpTransport(session, host, false, sockets, check);
        transport.setLocalHost(configuration.getHeloNameProvider().getHeloName());
        Found found = new Found();
        try (cutoff) {
            transport.connect();
            found.connected = true;
            // Accepted: judged after STARTTLS, or not judged yet (no STARTTLS tried or offered, and TLS not required).
            found.judgement = check.last().orElseGet(check::judgePlaintext);
        } catch (TlsPolicyRefusal refusal) {
            found.connected = true;
            found.judgement = check.last().orElseThrow(() -> new IllegalStateException("a refusal without a judgement"));
        } catch (MessagingException failure) {
            found.connected = !(failure instanceof MailConnectException);
            found.error = describe(host, failure);
        } catch (RuntimeException failure) {
            LOGGER.error("Unexpected failure probing {}", host, failure);
            found.error = "unexpected error: " + failure;
        } finally {
            close(transport);
        }
        if (cutoff.passed() && found.judgement == null) {
            found.error = "no answer within the probe's deadline of " + deadline.toSeconds() + " s (" + found.error + ")";
        }
        // STARTTLS is sent only when the rules try it and the server offered it.
        ProbedHost probed = new ProbedHost(mxName, address, host.getPort(), found.connected, transport.startTlsOffered(),
            check.triesStartTls() && transport.startTlsOffered(),
            found.judgement == null ? null : tls(found.judgement.facts, sockets.lastSocket()), rules.toString(),
            rules.recipientSide().map(Object::toString).orElse(null), rules.serverSide().map(Object::toString).orElse(null),
            rules.applying().stream().map(m -> m + ": " + m.rule()).collect(Collectors.toList()),
            found.judgement == null ? null : verdict(found.judgement), found.error);
        LOGGER.info("tlsgate probe {} mx={}[{}]:{} rule=\"{}\" {}", target, mxName, address, host.getPort(), rules,
            found.judgement != null ? found.judgement.facts.summary() + " verdict=" + found.judgement.verdict : "error=\"" + found.error + "\"");
        return probed;
    }

    /** What one connection found. */
    private static final class Found {
        boolean connected;
        TlsPolicySmtpTransport.Judgement judgement;
        String error;
    }

    private static ProbeVerdict verdict(TlsPolicySmtpTransport.Judgement judgement) {
        Verdict verdict = judgement.verdict;
        if (verdict.accepted()) {
            return new ProbeVerdict(true, false, null, null, null, "", judgement.decidedBy);
        }
        return new ProbeVerdict(false, verdict.temporary(), verdict.reason().map(r -> r.label()).orElse(null), verdict.replyCode(),
            verdict.enhancedStatus(), verdict.text(), judgement.decidedBy);
    }

    /** What TLS gave, with each certificate's end of validity from the handshake's own chain; null without TLS. */
    private static ProbedTls tls(TlsFacts facts, SSLSocket socket) {
        if (!facts.tlsActive()) {
            return null;
        }
        OptionalInt bits = facts.effectiveBits();
        return new ProbedTls(facts.protocolName(), facts.cipherSuiteName(), bits.isPresent() ? bits.getAsInt() : null,
            chain(facts.peerChain(), socket), facts.certificateStatus().outcome().name(), facts.certificateStatus().detail());
    }

    private static List<ProbedCertificate> chain(List<PeerCertificate> identities, SSLSocket socket) {
        List<X509Certificate> presented = presented(socket);
        List<ProbedCertificate> chain = new ArrayList<>();
        for (int i = 0; i < presented.size(); i++) {
            X509Certificate certificate = presented.get(i);
            String notAfter = certificate.getNotAfter().toInstant().toString();
            if (i < identities.size()) {
                PeerCertificate identity = identities.get(i);
                chain.add(new ProbedCertificate(identity.subject().display(), identity.issuer().display(), notAfter,
                    identity.sha256Fingerprint()));
            } else {
                // Unreadable for the policy (e.g. a bad subjectAltName): still shown as the handshake gave it.
                chain.add(new ProbedCertificate(certificate.getSubjectX500Principal().getName(), certificate.getIssuerX500Principal().getName(),
                    notAfter, fingerprint(certificate)));
            }
        }
        return chain;
    }

    private static List<X509Certificate> presented(SSLSocket socket) {
        List<X509Certificate> chain = new ArrayList<>();
        if (socket == null) {
            return chain;
        }
        try {
            for (Certificate certificate : socket.getSession().getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    chain.add((X509Certificate) certificate);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // No certificate presented: the chain is empty, and the verification says NO.
        }
        return chain;
    }

    private static String fingerprint(X509Certificate certificate) {
        try {
            return Hashing.sha256().hashBytes(certificate.getEncoded()).toString();
        } catch (CertificateEncodingException e) {
            return "";
        }
    }

    /** Says which step failed: the TCP connection, the TLS handshake, or the SMTP dialogue (with the server's words). */
    private String describe(HostAddress host, MessagingException failure) {
        Exception cause = failure.getNextException();
        String why = cause != null && cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
        if (failure instanceof MailConnectException) {
            return "cannot connect to " + host.getHost() + ":" + host.getPort() + ": " + why + " (timeout "
                + configuration.getConnectionTimeout() + " ms)";
        }
        if (cause instanceof SSLException) {
            return "TLS handshake failed: " + why;
        }
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()).trim());
        if (cause != null && cause.getMessage() != null && !text.toString().contains(cause.getMessage().trim())) {
            text.append(" (").append(cause.getMessage().trim()).append(')');
        }
        return text.toString().replaceAll("\\s+", " ");
    }

    /** An address as printed, without the brackets of an IPv6 URL. */
    private static String literal(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void close(TlsPolicySmtpTransport transport) {
        try {
            // QUIT (javax.mail sends it when still connected); after a refusal the transport already said it.
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            LOGGER.debug("Closing a probe connection failed: {}", e.toString());
        }
    }
}
