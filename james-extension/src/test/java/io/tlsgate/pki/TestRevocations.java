package io.tlsgate.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** CRLs and OCSP responses made with Bouncy Castle, good or flawed as a test needs. */
public final class TestRevocations {
    private TestRevocations() {
    }

    /** A CRL to be built: issued by a name and signed by a key, with entries. */
    public static final class Crl {
        private final String issuerDn;
        private final PrivateKey signer;
        private Instant thisUpdate = TestCertificates.T.minusSeconds(3600);
        private Instant nextUpdate = TestCertificates.T.plusSeconds(7 * 24 * 3600);
        private final List<Object[]> revoked = new ArrayList<>();

        private Crl(String issuerDn, PrivateKey signer) {
            this.issuerDn = issuerDn;
            this.signer = signer;
        }

        /** The CA's own CRL: valid from an hour before {@link TestCertificates#T} for a week. */
        public static Crl of(TestCertificates.Authority issuer) {
            return new Crl(issuer.dn, issuer.key.getPrivate());
        }

        /** A CRL that claims the CA's name but is signed with another key. */
        static Crl forged(TestCertificates.Authority issuer, KeyPair key) {
            return new Crl(issuer.dn, key.getPrivate());
        }

        Crl updates(Instant thisUpdate, Instant nextUpdate) {
            this.thisUpdate = thisUpdate;
            this.nextUpdate = nextUpdate;
            return this;
        }

        /** @param reason a CRLReason code, or -1 for an entry without a reason */
        public Crl revoke(X509Certificate certificate, Instant when, int reason) {
            revoked.add(new Object[] {certificate.getSerialNumber(), when, reason});
            return this;
        }

        X509CRL build() {
            X509v2CRLBuilder builder = new X509v2CRLBuilder(TestCertificates.standard(issuerDn), Date.from(thisUpdate));
            if (nextUpdate != null) {
                builder.setNextUpdate(Date.from(nextUpdate));
            }
            for (Object[] entry : revoked) {
                int reason = (Integer) entry[2];
                if (reason < 0) {
                    builder.addCRLEntry((BigInteger) entry[0], Date.from((Instant) entry[1]), (Extensions) null);
                } else {
                    builder.addCRLEntry((BigInteger) entry[0], Date.from((Instant) entry[1]), reason);
                }
            }
            try {
                String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
                return new JcaX509CRLConverter().getCRL(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
            } catch (OperatorCreationException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes the DER CRL to the file and gives it this modification time (files are re-read when it changes). */
        public Path writeTo(Path file, Instant modified) {
            try {
                Files.write(file, build().getEncoded());
                Files.setLastModifiedTime(file, FileTime.from(modified));
                return file;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static final int KEY_COMPROMISE = CRLReason.keyCompromise;
    static final int SUPERSEDED = CRLReason.superseded;

    /**
     * What an OCSP responder answers about every certificate it is asked about: by default "good", signed by the
     * issuer, thisUpdate an hour before {@link TestCertificates#T}, nextUpdate a day after.
     */
    static final class OcspAnswer {
        private CertificateStatus status = CertificateStatus.GOOD;
        private Instant thisUpdate = TestCertificates.T.minusSeconds(3600);
        private Instant nextUpdate = TestCertificates.T.plusSeconds(24 * 3600);
        private PrivateKey signer;
        private PublicKey responderKey;
        private X509Certificate[] certificates = new X509Certificate[0];
        private int responseStatus = OCSPRespBuilder.SUCCESSFUL;
        private BigInteger serialOverride;

        private OcspAnswer(PrivateKey signer, PublicKey responderKey) {
            this.signer = signer;
            this.responderKey = responderKey;
        }

        static OcspAnswer good(TestCertificates.Authority issuer) {
            return new OcspAnswer(issuer.key.getPrivate(), issuer.key.getPublic());
        }

        OcspAnswer revoked(Instant when, int reason) {
            this.status = reason < 0 ? new RevokedStatus(new RevokedInfo(new ASN1GeneralizedTime(Date.from(when)), null))
                : new RevokedStatus(Date.from(when), reason);
            return this;
        }

        OcspAnswer unknown() {
            this.status = new UnknownStatus();
            return this;
        }

        OcspAnswer updates(Instant thisUpdate, Instant nextUpdate) {
            this.thisUpdate = thisUpdate;
            this.nextUpdate = nextUpdate;
            return this;
        }

        /** Signed by this key, with these certificates in the response (a delegated responder sends its own). */
        OcspAnswer signedBy(KeyPair key, X509Certificate... certificates) {
            this.signer = key.getPrivate();
            this.responderKey = key.getPublic();
            this.certificates = certificates;
            return this;
        }

        /** A response status other than successful (1 malformedRequest, 2 internalError, 3 tryLater, 5, 6). */
        OcspAnswer status(int responseStatus) {
            this.responseStatus = responseStatus;
            return this;
        }

        /** An answer about another serial number than the one asked about. */
        OcspAnswer aboutSerial(long serial) {
            this.serialOverride = BigInteger.valueOf(serial);
            return this;
        }

        /** The DER response to a DER request. */
        byte[] respond(byte[] requestDer) {
            try {
                if (responseStatus != OCSPRespBuilder.SUCCESSFUL) {
                    return new OCSPRespBuilder().build(responseStatus, null).getEncoded();
                }
                OCSPReq request = new OCSPReq(requestDer);
                BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(responderKey,
                    new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
                for (Req one : request.getRequestList()) {
                    CertificateID id = one.getCertID();
                    if (serialOverride != null) {
                        id = CertificateID.deriveCertificateID(id, serialOverride);
                    }
                    builder.addResponse(id, status, Date.from(thisUpdate), nextUpdate == null ? null : Date.from(nextUpdate), null);
                }
                X509CertificateHolder[] chain = new X509CertificateHolder[certificates.length];
                for (int i = 0; i < certificates.length; i++) {
                    chain[i] = new JcaX509CertificateHolder(certificates[i]);
                }
                String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
                BasicOCSPResp basic = builder.build(new JcaContentSignerBuilder(algorithm).build(signer), chain, Date.from(thisUpdate));
                return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
            } catch (IOException | OCSPException | OperatorCreationException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
