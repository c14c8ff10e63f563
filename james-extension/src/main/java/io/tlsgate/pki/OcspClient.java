package io.tlsgate.pki;

import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Asks a certificate's OCSP responder (RFC 6960) about it, with Bouncy Castle building the request and
 * checking the response: signed by the issuer or by a responder the issuer delegated to (id-kp-OCSPSigning),
 * about this certificate, and fresh.
 */
final class OcspClient {
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** How long an answer without nextUpdate is reused. */
    private static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);

    private final HttpFetcher http;
    private final Clock clock;

    OcspClient(HttpFetcher http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** Asks the first responder the certificate names; empty result when it names none. */
    RevocationStatus check(X509Certificate certificate, X509Certificate issuer, URI responder) {
        String source = "OCSP " + responder;
        try {
            CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), certificate.getSerialNumber());
            byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
            byte[] answer = http.post(responder, "application/ocsp-request", request);
            OCSPResp response;
            try {
                response = new OCSPResp(answer);
            } catch (IOException e) {
                // The responder answered, with something that is not an OCSP response: not "unreachable".
                return RevocationStatus.unknown(source + " sent an unusable response: " + e.getMessage());
            }
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return RevocationStatus.unknown(source + " answered with status " + response.getStatus());
            }
            BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
            if (!signedByIssuerOrDelegate(basic, issuer)) {
                return RevocationStatus.unknown(source + " sent a response that neither the issuer nor a delegated responder signed");
            }
            for (SingleResp single : basic.getResponses()) {
                if (single.getCertID().equals(id)) {
                    return status(single, source);
                }
            }
            return RevocationStatus.unknown(source + " sent no answer about this certificate");
        } catch (IOException e) {
            return RevocationStatus.unknown(source + " unreachable: " + e.getMessage());
        } catch (OCSPException | OperatorCreationException | java.security.cert.CertificateException | RuntimeException e) {
            return RevocationStatus.unknown(source + " sent an unusable response: " + e.getMessage());
        }
    }

    private RevocationStatus status(SingleResp single, String source) {
        Instant now = clock.instant();
        Instant thisUpdate = single.getThisUpdate().toInstant();
        if (thisUpdate.isAfter(now.plus(CLOCK_SKEW))) {
            return RevocationStatus.unknown(source + " sent a response dated in the future (" + thisUpdate + ")");
        }
        Instant nextUpdate = single.getNextUpdate() == null ? now.plus(DEFAULT_VALIDITY) : single.getNextUpdate().toInstant();
        if (nextUpdate.isBefore(now)) {
            return RevocationStatus.unknown(source + " sent a stale response (next update was " + nextUpdate + ")");
        }
        CertificateStatus status = single.getCertStatus();
        if (status == CertificateStatus.GOOD) {
            return RevocationStatus.good(source, nextUpdate);
        }
        if (status instanceof RevokedStatus) {
            RevokedStatus revoked = (RevokedStatus) status;
            String reason = revoked.hasRevocationReason() ? RevocationReasons.name(revoked.getRevocationReason()) : "";
            return RevocationStatus.revoked(source, revoked.getRevocationTime().toInstant(), reason, nextUpdate);
        }
        if (status instanceof UnknownStatus) {
            return RevocationStatus.unknown(source + " does not know the certificate");
        }
        return RevocationStatus.unknown(source + " sent an unknown status");
    }

    private boolean signedByIssuerOrDelegate(BasicOCSPResp basic, X509Certificate issuer)
            throws OperatorCreationException, java.security.cert.CertificateException {
        if (signedBy(basic, issuer.getPublicKey())) {
            return true;
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder holder : basic.getCerts()) {
            X509Certificate responder = converter.getCertificate(holder);
            if (issuedBy(responder, issuer) && delegated(responder) && signedBy(basic, responder.getPublicKey())) {
                return true;
            }
        }
        return false;
    }

    private static boolean signedBy(BasicOCSPResp basic, java.security.PublicKey key) throws OperatorCreationException {
        try {
            return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (OCSPException e) {
            // Bouncy Castle throws instead of answering false when the key does not fit the signature algorithm
            // (an EC delegated responder of an RSA issuer): that key simply did not sign the response.
            return false;
        }
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** A responder the issuer delegated to: id-kp-OCSPSigning, and valid now (RFC 6960, 4.2.2.2). */
    private boolean delegated(X509Certificate responder) {
        try {
            responder.checkValidity(java.util.Date.from(clock.instant()));
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            return false;
        }
        try {
            List<String> purposes = responder.getExtendedKeyUsage();
            return purposes != null && purposes.contains(KeyPurposeId.id_kp_OCSPSigning.getId());
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }
}
