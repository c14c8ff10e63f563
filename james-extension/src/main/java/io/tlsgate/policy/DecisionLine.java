package io.tlsgate.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * The one log line written per decision, inbound and outbound, in key=value form so that it can be grepped and
 * parsed: {@code tlsgate inbound session=... peer=192.0.2.7 name=mx.partner.example rule="host partner.example"
 * tls=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK subject="CN=..." issuer="CN=..." sha256=...
 * verdict=accept}.
 */
public final class DecisionLine {
    private DecisionLine() {
    }

    /**
     * @param id the session (inbound) or the mail and attempt (outbound)
     * @param rule which rule applied, e.g. "default" or "host partner.example"
     */
    public static String of(String id, String rule, TlsFacts facts, Verdict verdict) {
        StringBuilder line = new StringBuilder("tlsgate ").append(facts.direction().name().toLowerCase(Locale.ROOT))
            .append(facts.direction() == Direction.INBOUND ? " session=" : " ").append(id)
            .append(" peer=").append(facts.peerAddress())
            .append(" name=").append(facts.peerName().orElse("-"))
            .append(" rule=\"").append(rule).append('"');
        if (facts.tlsActive()) {
            line.append(" tls=").append(facts.protocolName())
                .append(" cipher=").append(facts.cipherSuiteName())
                .append(" bits=").append(facts.effectiveBits().isPresent() ? String.valueOf(facts.effectiveBits().getAsInt()) : "unknown")
                .append(" verify=").append(facts.certificateStatus().outcome());
            CertificateStatus.Outcome outcome = facts.certificateStatus().outcome();
            if (outcome == CertificateStatus.Outcome.FAIL || outcome == CertificateStatus.Outcome.TEMP) {
                line.append(" verify_reason=\"").append(facts.certificateStatus().detail()).append('"');
            }
            Optional<PeerCertificate> certificate = facts.peerCertificate();
            certificate.ifPresent(c -> line.append(" subject=\"").append(c.subject()).append('"')
                .append(" issuer=\"").append(c.issuer()).append('"')
                .append(" sha256=").append(c.sha256Fingerprint()));
        } else {
            line.append(" tls=none");
        }
        if (verdict.accepted()) {
            line.append(" verdict=accept");
        } else {
            line.append(" verdict=refuse reason=").append(verdict.reason().orElseThrow().label());
            // Inbound, the reply the client got; outbound, the caller logs what became of the mail instead.
            if (facts.direction() == Direction.INBOUND) {
                line.append(" reply=\"").append(verdict.reply()).append('"');
            }
            if (verdict.closesConnection()) {
                line.append(" disconnect=yes");
            }
        }
        return line.toString();
    }
}
