package io.tlsgate.policy;

import java.util.ArrayList;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Peer certificates and TLS facts for policy tests, built directly: the policy is pure and parses no certificates. */
final class Fixtures {
    static final String PARTNER_CA = "CN=Partner CA,O=Partner";
    static final String PEER_ADDRESS = "192.0.2.1";
    static final String STRONG_SUITE = "TLS_AES_256_GCM_SHA384";

    private Fixtures() {
    }

    /** A certificate issued by {@link #PARTNER_CA}. */
    static PeerCertificate certificate(String subjectDn, String... dnsNames) {
        return issued(subjectDn, PARTNER_CA, dnsNames);
    }

    /** Its common names are the CN values of the subject in the order written. */
    static PeerCertificate issued(String subjectDn, String issuerDn, String... dnsNames) {
        return new PeerCertificate(DistinguishedName.parse(subjectDn), DistinguishedName.parse(issuerDn),
            commonNames(subjectDn), List.of(dnsNames), "00", "00");
    }

    /**
     * A certificate issued by {@link #PARTNER_CA} with these SHA-256 digests (lower-case hex) of the whole
     * certificate and of its public key, as pins compare them.
     */
    static PeerCertificate withDigests(String subjectDn, String certificateSha256, String spkiSha256) {
        return new PeerCertificate(DistinguishedName.parse(subjectDn), DistinguishedName.parse(PARTNER_CA),
            commonNames(subjectDn), List.of(), certificateSha256, spkiSha256);
    }

    /** CN values read with the JDK's LDAP name parser, not with the code under test. */
    private static List<String> commonNames(String dn) {
        List<String> names = new ArrayList<>();
        try {
            List<Rdn> rdns = new LdapName(dn).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdns.get(i).getValue()));
                }
            }
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException(dn, e);
        }
        return names;
    }

    static TlsFacts plaintext() {
        return TlsFacts.builder(Direction.INBOUND, PEER_ADDRESS).build();
    }

    /** A TLS session in which the peer presented no certificate. */
    static TlsFacts tls(String protocol, String cipherSuite) {
        return TlsFacts.builder(Direction.INBOUND, PEER_ADDRESS).tls(protocol, cipherSuite).build();
    }

    /** A TLSv1.3 session with a 256-bit suite, in which the peer presented this chain with this outcome. */
    static TlsFacts tlsWith(CertificateStatus status, PeerCertificate... chain) {
        return TlsFacts.builder(Direction.INBOUND, PEER_ADDRESS).tls("TLSv1.3", STRONG_SUITE)
            .peerChain(List.of(chain)).certificateStatus(status).build();
    }
}
