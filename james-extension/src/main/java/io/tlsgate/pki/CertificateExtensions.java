package io.tlsgate.pki;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/** Reads the revocation pointers of a certificate: OCSP responders (AIA) and CRL distribution points. */
final class CertificateExtensions {
    private CertificateExtensions() {
    }

    static List<URI> ocspResponders(X509Certificate certificate) {
        Extension extension = holder(certificate).getExtension(Extension.authorityInfoAccess);
        List<URI> uris = new ArrayList<>();
        if (extension != null) {
            for (AccessDescription description : AuthorityInformationAccess.getInstance(extension.getParsedValue()).getAccessDescriptions()) {
                if (AccessDescription.id_ad_ocsp.equals(description.getAccessMethod())) {
                    uri(description.getAccessLocation(), uris);
                }
            }
        }
        return uris;
    }

    static List<URI> crlDistributionPoints(X509Certificate certificate) {
        Extension extension = holder(certificate).getExtension(Extension.cRLDistributionPoints);
        List<URI> uris = new ArrayList<>();
        if (extension != null) {
            for (DistributionPoint point : CRLDistPoint.getInstance(extension.getParsedValue()).getDistributionPoints()) {
                DistributionPointName name = point.getDistributionPoint();
                if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                    for (GeneralName general : GeneralNames.getInstance(name.getName()).getNames()) {
                        uri(general, uris);
                    }
                }
            }
        }
        return uris;
    }

    private static void uri(GeneralName name, List<URI> uris) {
        if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
            try {
                uris.add(new URI(ASN1IA5String.getInstance(name.getName()).getString()));
            } catch (URISyntaxException e) {
                // An unusable pointer is as good as none: the status stays unknown and says so.
            }
        }
    }

    static X509CertificateHolder holder(X509Certificate certificate) {
        try {
            return new JcaX509CertificateHolder(certificate);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode certificate: " + e.getMessage(), e);
        }
    }
}
