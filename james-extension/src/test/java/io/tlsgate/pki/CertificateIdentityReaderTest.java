package io.tlsgate.pki;

import static io.tlsgate.pki.TestCertificates.certificate;
import static io.tlsgate.pki.TestCertificates.dns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityConstraint.Field;
import io.tlsgate.policy.IdentityPattern;
import io.tlsgate.policy.PeerCertificate;

class CertificateIdentityReaderTest {
    private static final String PARTNER_CA = "CN=Partner CA,O=Partner,C=DE";

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "CN=mx.partner.example,O=Partner,C=DE         | mx.partner.example",
        "CN=Foo\\, Inc,O=Foo                          | Foo, Inc",
        "CN=a\\+b\\=c\\<d\\>,O=x                      | a+b=c<d>",
        "CN=Müller Straße,O=x                         | Müller Straße",
        "CN=\\#hash,O=x                               | #hash",
        // several CNs: in DER order, which is the reverse of the RFC 4514 text
        "CN=mx1.example,CN=mx2.example,O=x            | mx2.example;mx1.example",
        "CN=b.example+CN=a.example,O=x                | a.example;b.example",
        "CN=mx.example+O=Partner,C=DE                 | mx.example",
        // no CN: other attributes that merely contain 'CN=' do not count
        "O=No CN,C=DE                                 | ''",
        "OU=CN\\=fake.example,O=x                     | ''",
    })
    void commonNamesAreThePlainSubjectCnValues(String subjectDn, String commonNames) {
        assertThat(read(certificate(subjectDn, PARTNER_CA)).commonNames()).isEqualTo(list(commonNames));
    }

    static Stream<Arguments> subjectAltNames() {
        return Stream.of(
            Arguments.of("no extension", new GeneralName[0], List.of()),
            Arguments.of("DNS names in order", new GeneralName[] {dns("mx.partner.example"), dns("partner.example")},
                List.of("mx.partner.example", "partner.example")),
            Arguments.of("wildcard kept as written", new GeneralName[] {dns("*.partner.example")}, List.of("*.partner.example")),
            Arguments.of("other kinds of name skipped", new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "192.0.2.25"), dns("mx.partner.example"),
                new GeneralName(GeneralName.rfc822Name, "postmaster@partner.example"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "https://partner.example/"),
                new GeneralName(GeneralName.directoryName, "CN=dir.partner.example"), dns("partner.example")},
                List.of("mx.partner.example", "partner.example")),
            Arguments.of("only an address", new GeneralName[] {new GeneralName(GeneralName.iPAddress, "2001:db8::25")}, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void subjectAltNames(String name, GeneralName[] altNames, List<String> dnsNames) {
        assertThat(read(certificate("CN=mx.partner.example,O=Partner", PARTNER_CA, altNames)).dnsNames()).isEqualTo(dnsNames);
    }

    static Stream<Arguments> malformedSubjectAltNames() {
        return Stream.of(
            // JDK 11 and 17 answer null for the extension, as if there were none; later JDKs throw
            Arguments.of("JDK", null, List.of("unreadable subjectAltName: the extension does not hold a list of names",
                "unreadable subjectAltName: Invalid encoding for GeneralNames.")),
            Arguments.of("Bouncy Castle", new BouncyCastleProvider(),
                List.of("unreadable subjectAltName: unexpected object: org.bouncycastle.asn1.DERUTF8String")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void malformedSubjectAltNames(String parsedBy, Provider provider, List<String> messages) {
        X509Certificate malformed = TestCertificates.withRawSubjectAltName("CN=mx.partner.example", new DERUTF8String("not GeneralNames"), provider);
        assertThatThrownBy(() -> read(malformed)).isExactlyInstanceOf(IllegalArgumentException.class)
            .extracting(Throwable::getMessage).isIn(messages);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CN=mx.partner.example, O=Partner,C=DE | CN=mx.partner.example,O=Partner,C=DE | cn=mx.partner.example,o=partner,c=de",
        "CN=Foo\\, Inc,O=Foo                   | CN=Foo\\, Inc,O=Foo                   | cn=foo\\, inc,o=foo",
        "CN=MX.Partner.Example  ,O=Partner      | CN=MX.Partner.Example,O=Partner       | cn=mx.partner.example,o=partner",
    })
    void subjectAndIssuerHaveTheirDisplayAndCanonicalForms(String dn, String display, String canonical) {
        PeerCertificate subject = read(certificate(dn, PARTNER_CA));
        PeerCertificate issuer = read(certificate("CN=leaf", dn));
        for (DistinguishedName name : List.of(subject.subject(), issuer.issuer())) {
            assertThat(name).extracting(DistinguishedName::display, DistinguishedName::canonical).containsExactly(display, canonical);
        }
        assertThat(subject.issuer().display()).isEqualTo(PARTNER_CA);
    }

    /** Bouncy Castle's own X500Name("CN=a,O=b") keeps the written order in DER: the JDK then prints it reversed. */
    @Test
    void namesEncodedInWrittenOrderAreReadAsEncoded() {
        PeerCertificate read = read(certificate(new X500Name("CN=mx.partner.example,O=Partner"), new X500Name("CN=Partner CA,O=Partner")));
        assertThat(read.commonNames()).containsExactly("mx.partner.example");
        assertThat(read.subject().display()).isEqualTo("O=Partner,CN=mx.partner.example");
        assertThat(read.subject()).isNotEqualTo(DistinguishedName.parse("CN=mx.partner.example,O=Partner"));
        assertThat(read.subject()).isEqualTo(DistinguishedName.parse("O=Partner,CN=mx.partner.example"));
    }

    @Test
    void fingerprintIsTheLowerCaseHexSha256OfTheDerEncoding() throws Exception {
        X509Certificate certificate = certificate("CN=mx.partner.example", PARTNER_CA);
        String fingerprint = read(certificate).sha256Fingerprint();
        assertThat(fingerprint).matches("[0-9a-f]{64}").isEqualTo(hex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())));
        assertThat(read(certificate("CN=mx.partner.example", PARTNER_CA)).sha256Fingerprint()).isNotEqualTo(fingerprint);
    }

    @Test
    void aChainIsReadInOrder() {
        X509Certificate leaf = certificate("CN=mx.partner.example,O=Partner", PARTNER_CA, dns("mx.partner.example"));
        X509Certificate ca = certificate(PARTNER_CA, "CN=Root,O=Root");
        List<PeerCertificate> chain = CertificateIdentityReader.readChain(new Certificate[] {leaf, ca});
        assertThat(chain).extracting(c -> c.subject().display(), c -> c.issuer().display(), PeerCertificate::dnsNames)
            .containsExactly(
                tuple("CN=mx.partner.example,O=Partner", PARTNER_CA, List.of("mx.partner.example")),
                tuple(PARTNER_CA, "CN=Root,O=Root", List.of()));
        assertThat(CertificateIdentityReader.readChain(new Certificate[0])).isEmpty();
    }

    @Test
    void aChainWithACertificateThatIsNotX509IsRefused() {
        Certificate[] chain = {certificate("CN=mx.partner.example", PARTNER_CA), new OtherCertificate()};
        assertThatThrownBy(() -> CertificateIdentityReader.readChain(chain)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("not an X.509 certificate: PGP");
    }

    /** What the reader gives is what the identity constraints of a rule are checked against. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "SUBJECT_CN | foo, inc",
        "SUBJECT_DN | cn=foo\\, inc, o=foo, c=us",
        "SUBJECT_DN | glob:CN=Foo\\, Inc,*",
        "ISSUER_DN  | cn=partner ca, o=partner, c=de",
        "DNS_NAME   | glob:*.foo.example",
    })
    void readIdentitiesMeetTheConstraintsWrittenForThem(Field field, String accepted) {
        PeerCertificate read = read(certificate("CN=Foo\\, Inc,O=Foo,C=US", PARTNER_CA, dns("mx.foo.example")));
        IdentityPattern pattern = accepted.startsWith("glob:") ? IdentityPattern.glob(accepted.substring(5)) : IdentityPattern.exact(accepted);
        assertThat(new IdentityConstraint(field, List.of(pattern)).mismatch(read)).isEmpty();
    }

    private static PeerCertificate read(X509Certificate certificate) {
        return CertificateIdentityReader.read(certificate);
    }

    private static List<String> list(String semicolonSeparated) {
        return semicolonSeparated.isEmpty() ? List.of() : Arrays.asList(semicolonSeparated.split(";"));
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /** A certificate of another type, as a JSSE provider could in principle hand over. */
    private static final class OtherCertificate extends Certificate {
        OtherCertificate() {
            super("PGP");
        }

        @Override
        public byte[] getEncoded() throws CertificateEncodingException {
            return new byte[0];
        }

        @Override
        public void verify(PublicKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void verify(PublicKey key, String sigProvider) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString() {
            return "PGP certificate";
        }

        @Override
        public PublicKey getPublicKey() {
            return null;
        }
    }
}
