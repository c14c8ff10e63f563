package io.tlsgate.config;

import static io.tlsgate.config.HandlerXml.HANDLER;
import static io.tlsgate.pki.TestCertificates.T;
import static io.tlsgate.pki.TestCertificates.writePem;
import static io.tlsgate.pki.TestCertificates.writeTrustStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates;
import io.tlsgate.pki.TestCertificates.Authority;
import io.tlsgate.pki.TestRevocations.Crl;
import io.tlsgate.pki.VerificationCache;
import io.tlsgate.policy.CertificateRequirement;
import io.tlsgate.policy.CertificateStatus;
import io.tlsgate.policy.CertificateStatus.Outcome;
import io.tlsgate.policy.TlsRequirement.Level;

/**
 * The handler's {@code <verification>} element, read with files (trust anchors, CRLs) that Bouncy Castle made in a
 * temporary directory; names are written {@code file://name} and resolved there, as James's FileSystem would.
 */
class VerificationReaderTest {
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final Authority PARTNER = Authority.root("CN=Partner CA,O=Partner", TestCertificates.ecKey("secp256r1"));
    private static final Authority OTHER = Authority.root("CN=Other CA,O=Other", TestCertificates.ecKey("secp256r1"));
    private static final String DEFAULT = "<default><level>encrypt</level></default>";
    private static final String ANCHORS = "<trustAnchors>file://partner.pem</trustAnchors>";
    private static final String V = HANDLER + " <verification>";
    private static final String ELEMENTS = "trustAnchors, jvmTrustStore, crl, fetchCrls, ocsp, timeoutMillis, cacheSeconds, cacheSize";

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws IOException {
        writePem(dir.resolve("partner.pem"), PARTNER.certificate);
        writePem(dir.resolve("both.pem"), PARTNER.certificate, OTHER.certificate);
        writePem(dir.resolve("other.crt"), OTHER.certificate);
        writePem(dir.resolve("partner.txt"), PARTNER.certificate);
        writeTrustStore(dir.resolve("partner.p12"), "PKCS12", "changeit", PARTNER.certificate);
        writeTrustStore(dir.resolve("open.p12"), "PKCS12", null, PARTNER.certificate);
        writeTrustStore(dir.resolve("partner.jks"), "JKS", "changeit", PARTNER.certificate);
        Crl.of(PARTNER).writeTo(dir.resolve("partner.crl"), T);
        Files.writeString(dir.resolve("empty.pem"), "");
        Files.writeString(dir.resolve("notes.pem"), "the partner CAs are in partner.pem\n");
        Files.writeString(dir.resolve("broken.jks"), "not a key store");
        Files.write(dir.resolve("empty.crl"), new byte[0]);
        Files.createDirectory(dir.resolve("tls"));
    }

    // ---- accepted ----

    static Stream<Arguments> anchors() {
        return Stream.of(
            Arguments.of("PEM", ANCHORS),
            Arguments.of("PEM with several certificates", "<trustAnchors>file://both.pem</trustAnchors>"),
            Arguments.of("PKCS12 with its password", "<trustAnchors password='changeit'>file://partner.p12</trustAnchors>"),
            Arguments.of("PKCS12 without a password", "<trustAnchors>file://open.p12</trustAnchors>"),
            Arguments.of("JKS with its password", "<trustAnchors password='changeit'>file://partner.jks</trustAnchors>"),
            Arguments.of("JKS without its password", "<trustAnchors>file://partner.jks</trustAnchors>"),
            Arguments.of("an explicit type", "<trustAnchors type='pem'>file://partner.txt</trustAnchors>"),
            Arguments.of("an explicit type in capitals", "<trustAnchors type='PKCS12' password='changeit'>file://partner.p12</trustAnchors>"),
            Arguments.of("several files", "<trustAnchors>file://other.crt</trustAnchors>" + ANCHORS),
            Arguments.of("the JVM's CAs too", ANCHORS + "<jvmTrustStore>true</jvmTrustStore>"),
            Arguments.of("blanks around the name", "<trustAnchors>\n  file://partner.pem\n</trustAnchors>"));
    }

    /** Each way of naming the anchors makes a verifier that trusts the partner's certificates, and checks no revocation. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void anchors(String name, String elements) throws PolicyConfigurationException {
        VerificationCache verification = verification(elements);
        assertThat(verification.verifier().checksRevocation()).isFalse();
        assertStatus(verification.verify(List.of(PARTNER.issue("CN=mx.partner.example").build()), Level.VERIFY, CertificateRequirement.defaults()),
            Outcome.OK, "chain to CN=Partner CA,O=Partner");
        assertStatus(verification.verify(List.of(unknownLeaf()), Level.VERIFY, CertificateRequirement.defaults()),
            Outcome.FAIL, "unknown issuer CN=Unknown CA");
    }

    @Test
    void theJvmTrustStoreAloneIsEnough() throws PolicyConfigurationException {
        VerificationCache verification = verification("<jvmTrustStore>true</jvmTrustStore>");
        assertStatus(verification.verify(List.of(PARTNER.issue("CN=mx.partner.example").build()), Level.VERIFY, CertificateRequirement.defaults()),
            Outcome.FAIL, "unknown issuer CN=Partner CA,O=Partner");
    }

    @Test
    void aCrlIsCheckedForEveryVerification() throws PolicyConfigurationException {
        Path crl = dir.resolve("partner.crl");
        X509Certificate revoked = PARTNER.issue("CN=revoked.partner.example").build();
        Crl.of(PARTNER).revoke(revoked, T.minusSeconds(60), io.tlsgate.pki.TestRevocations.KEY_COMPROMISE).writeTo(crl, T);
        VerificationCache verification = verification(ANCHORS + "<crl>file://partner.crl</crl><timeoutMillis>100</timeoutMillis>");
        assertThat(verification.verifier().checksRevocation()).isTrue();
        assertStatus(verification.verify(List.of(PARTNER.issue("CN=mx.partner.example").build()), Level.VERIFY, CertificateRequirement.defaults()),
            Outcome.OK, "chain to CN=Partner CA,O=Partner; not revoked (CRL partner.crl)");
        assertStatus(verification.verify(List.of(revoked), Level.VERIFY, CertificateRequirement.defaults()),
            Outcome.FAIL, "certificate revoked on 2026-03-02T11:59:00Z (keyCompromise) per CRL partner.crl: CN=revoked.partner.example");
    }

    static Stream<Arguments> revocationSources() {
        return Stream.of(
            Arguments.of("none", "", false),
            Arguments.of("fetchCrls and ocsp false", "<fetchCrls>false</fetchCrls><ocsp>FALSE</ocsp>", false),
            Arguments.of("fetchCrls", "<fetchCrls>true</fetchCrls>", true),
            Arguments.of("ocsp", "<ocsp>True</ocsp>", true),
            Arguments.of("a CRL file", "<crl>file://partner.crl</crl>", true),
            Arguments.of("everything at the widest bounds", "<crl>file://partner.crl</crl><fetchCrls>true</fetchCrls><ocsp>true</ocsp>"
                + "<timeoutMillis>60000</timeoutMillis><cacheSeconds>86400</cacheSeconds><cacheSize>10000000</cacheSize>", true),
            Arguments.of("the narrowest bounds", "<timeoutMillis>100</timeoutMillis><cacheSeconds>0</cacheSeconds><cacheSize>1</cacheSize>", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void revocationSources(String name, String elements, boolean checksRevocation) throws PolicyConfigurationException {
        assertThat(verification(ANCHORS + elements).verifier().checksRevocation()).isEqualTo(checksRevocation);
    }

    @Test
    void cacheSizeAndTimeAreApplied() throws PolicyConfigurationException {
        X509Certificate first = PARTNER.issue("CN=first.partner.example").build();
        X509Certificate second = PARTNER.issue("CN=second.partner.example").build();
        VerificationCache byDefault = verification(ANCHORS);
        VerificationCache one = verification(ANCHORS + "<cacheSize>1</cacheSize>");
        VerificationCache none = verification(ANCHORS + "<cacheSeconds>0</cacheSeconds>");
        for (VerificationCache cache : List.of(byDefault, one, none)) {
            cache.verify(List.of(first), Level.VERIFY, CertificateRequirement.defaults());
            cache.verify(List.of(second), Level.VERIFY, CertificateRequirement.defaults());
        }
        assertThat(List.of(byDefault.size(), one.size(), none.size())).containsExactly(2L, 1L, 0L);
    }

    @Test
    void withoutVerificationOrRelayTheHandlerHasNeither() throws PolicyConfigurationException {
        InboundPolicy policy = HandlerXml.read(DEFAULT, this::resolve, CLOCK);
        assertThat(policy.verification()).isEmpty();
        assertThat(policy.relayGrants()).isEmpty();
        assertThat(policy.rules().defaultRule()).hasToString("level=encrypt failure=temporary missingTls=permanent afterRefusal=refuse");
    }

    // ---- refused ----

    static Stream<Arguments> refusals() {
        return Stream.of(
            refusal("no element at all", "", "", "names no <trustAnchors>: say which CA certificates client certificates must chain to"),
            refusal("revocation sources but no anchors", "<crl>file://partner.crl</crl><ocsp>true</ocsp>", "",
                "names no <trustAnchors>: say which CA certificates client certificates must chain to"),
            refusal("the JVM's CAs declined and no anchors", "<jvmTrustStore>false</jvmTrustStore>", "",
                "names no <trustAnchors>: say which CA certificates client certificates must chain to"),
            refusal("jvmTrustStore yes", ANCHORS + "<jvmTrustStore>yes</jvmTrustStore>", " <jvmTrustStore>", "'yes' is not true or false"),
            // anchors
            refusal("a missing anchors file", "<trustAnchors>file://missing.pem</trustAnchors>", " <trustAnchors>",
                "'file://missing.pem' ({dir}/missing.pem) does not exist or is not a file"),
            refusal("a location the file system cannot resolve", "<trustAnchors>classpath://partner.pem</trustAnchors>", " <trustAnchors>",
                "'classpath://partner.pem' cannot be found (no classpath here)"),
            refusal("a directory", "<trustAnchors>file://tls</trustAnchors>", " <trustAnchors>",
                "'file://tls' ({dir}/tls) does not exist or is not a file"),
            refusal("the second anchors file is missing", ANCHORS + "<trustAnchors>file://other.pem</trustAnchors>", " <trustAnchors>",
                "'file://other.pem' ({dir}/other.pem) does not exist or is not a file"),
            refusal("an empty trustAnchors", "<trustAnchors/>", " <trustAnchors>", "is empty"),
            refusal("PKCS12 with a wrong password", "<trustAnchors password='secret'>file://partner.p12</trustAnchors>",
                " <trustAnchors password=\"***\">", "{dir}/partner.p12: wrong password (keystore password was incorrect)"),
            refusal("JKS with a wrong password", "<trustAnchors password='secret'>file://partner.jks</trustAnchors>",
                " <trustAnchors password=\"***\">", "{dir}/partner.jks: wrong password (Keystore was tampered with, or password was incorrect)"),
            refusal("PKCS12 with encrypted certificates and no password", "<trustAnchors>file://partner.p12</trustAnchors>", " <trustAnchors>",
                "{dir}/partner.p12 holds no certificate readable without a password; add password=\"...\""),
            refusal("a corrupt key store", "<trustAnchors>file://broken.jks</trustAnchors>", " <trustAnchors>",
                "{dir}/broken.jks: cannot read it as jks (Invalid keystore format)"),
            refusal("a PEM file read as PKCS12", "<trustAnchors type='jks'>file://partner.pem</trustAnchors>", " <trustAnchors type=\"jks\">",
                "{dir}/partner.pem: cannot read it as jks (Invalid keystore format)"),
            refusal("an empty PEM file", "<trustAnchors>file://empty.pem</trustAnchors>", " <trustAnchors>", "{dir}/empty.pem holds no certificate"),
            refusal("a PEM file of text", "<trustAnchors>file://notes.pem</trustAnchors>", " <trustAnchors>",
                "{dir}/notes.pem: cannot read it as pem (No certificate data found)"),
            refusal("an unknown extension without a type", "<trustAnchors>file://partner.txt</trustAnchors>", " <trustAnchors>",
                "{dir}/partner.txt: cannot tell the file type from its name; say type=\"pem\", \"pkcs12\" or \"jks\""),
            refusal("an unknown attribute on trustAnchors", "<trustAnchors format='pem'>file://partner.txt</trustAnchors>",
                " <trustAnchors format=\"pem\">", "unknown attribute format=\"pem\" (allowed: password, type)"),
            refusal("nested elements in trustAnchors", "<trustAnchors><file>partner.pem</file></trustAnchors>", " <trustAnchors>",
                "takes a value, not nested elements"),
            refusal("trustAnchor for trustAnchors", "<trustAnchor>file://partner.pem</trustAnchor>", " <trustAnchor>",
                "unknown element; did you mean <trustAnchors>? (allowed here: " + ELEMENTS + ")"),
            refusal("truststore for jvmTrustStore", ANCHORS + "<truststore>true</truststore>", " <truststore>",
                "unknown element; did you mean <jvmTrustStore>? (allowed here: " + ELEMENTS + ")"),
            refusal("an element of a rule", ANCHORS + "<level>verify</level>", " <level>", "unknown element (allowed here: " + ELEMENTS + ")"),
            refusal("an attribute on verification", ANCHORS, "<verification mode='strict'>", HANDLER + " <verification mode=\"strict\">",
                "unknown attribute mode=\"strict\" (this element takes none)"),
            // CRLs and fetching
            refusal("a missing CRL file", ANCHORS + "<crl>file://missing.crl</crl>", " <crl>",
                "'file://missing.crl' ({dir}/missing.crl) does not exist or is not a file"),
            refusal("an empty CRL file", ANCHORS + "<crl>file://empty.crl</crl>", " <crl>", "{dir}/empty.crl: not a readable CRL (Empty input)"),
            refusal("a certificate named as a CRL", ANCHORS + "<crl>file://partner.pem</crl>", " <crl>",
                "{dir}/partner.pem: not a readable CRL (Parsing error: algid parse error, not a sequence)"),
            refusal("an empty crl", ANCHORS + "<crl></crl>", " <crl>", "is empty"),
            refusal("an attribute on crl", ANCHORS + "<crl type='der'>file://partner.crl</crl>", " <crl type=\"der\">",
                "unknown attribute type=\"der\" (this element takes none)"),
            refusal("fetchCrls maybe", ANCHORS + "<fetchCrls>maybe</fetchCrls>", " <fetchCrls>", "'maybe' is not true or false"),
            refusal("ocsp on", ANCHORS + "<ocsp>on</ocsp>", " <ocsp>", "'on' is not true or false"),
            refusal("ocsp given twice", ANCHORS + "<ocsp>true</ocsp><ocsp>false</ocsp>", " <ocsp>", "is given twice in the same verification; keep one"),
            refusal("jvmTrustStore given twice", ANCHORS + "<jvmTrustStore>false</jvmTrustStore><jvmTrustStore>false</jvmTrustStore>",
                " <jvmTrustStore>", "is given twice in the same verification; keep one"),
            // time box and cache
            refusal("timeoutMillis below 100", ANCHORS + "<timeoutMillis>99</timeoutMillis>", " <timeoutMillis>",
                "99 is out of range: milliseconds go from 100 to 60000"),
            refusal("timeoutMillis above 60000", ANCHORS + "<timeoutMillis>60001</timeoutMillis>", " <timeoutMillis>",
                "60001 is out of range: milliseconds go from 100 to 60000"),
            refusal("timeoutMillis in seconds", ANCHORS + "<timeoutMillis>3s</timeoutMillis>", " <timeoutMillis>",
                "'3s' is not a whole number of milliseconds between 100 and 60000"),
            refusal("timeout for timeoutMillis", ANCHORS + "<timeout>3000</timeout>", " <timeout>",
                "unknown element; did you mean <timeoutMillis>? (allowed here: " + ELEMENTS + ")"),
            refusal("timeoutMillis given twice", ANCHORS + "<timeoutMillis>100</timeoutMillis><timeoutMillis>200</timeoutMillis>", " <timeoutMillis>",
                "is given twice in the same verification; keep one"),
            refusal("cacheSeconds negative", ANCHORS + "<cacheSeconds>-1</cacheSeconds>", " <cacheSeconds>",
                "-1 is out of range: seconds go from 0 to 86400"),
            refusal("cacheSeconds above a day", ANCHORS + "<cacheSeconds>86401</cacheSeconds>", " <cacheSeconds>",
                "86401 is out of range: seconds go from 0 to 86400"),
            refusal("cacheSeconds in minutes", ANCHORS + "<cacheSeconds>5m</cacheSeconds>", " <cacheSeconds>",
                "'5m' is not a whole number of seconds between 0 and 86400"),
            refusal("cacheSize zero", ANCHORS + "<cacheSize>0</cacheSize>", " <cacheSize>", "0 is out of range: entries go from 1 to 10000000"),
            refusal("cacheSize above ten million", ANCHORS + "<cacheSize>10000001</cacheSize>", " <cacheSize>",
                "10000001 is out of range: entries go from 1 to 10000000"),
            refusal("cacheSize with nested elements", ANCHORS + "<cacheSize><entries>10</entries></cacheSize>", " <cacheSize>",
                "takes a value, not nested elements"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(String name, String elements, String open, String location, String problem) {
        String xml = open + elements + "</verification>" + DEFAULT;
        PolicyConfigurationException error = catchThrowableOfType(() -> HandlerXml.read(xml, this::resolve, CLOCK),
            PolicyConfigurationException.class);
        assertThat(error).as("no error for %s", xml).isNotNull();
        String expectedProblem = problem.replace("{dir}", dir.toString());
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem, Throwable::getMessage)
            .containsExactly(location, expectedProblem, "TLS Gate configuration error in " + location + ": " + expectedProblem);
    }

    /** Root reads every file, so this only runs as an ordinary user. */
    @Test
    void anUnreadableAnchorsFileIsRefused() throws IOException {
        Path file = dir.resolve("partner.pem");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        org.assertj.core.api.Assumptions.assumeThat(Files.isReadable(file)).as("running as root: every file is readable").isFalse();
        PolicyConfigurationException error = catchThrowableOfType(() -> verification(ANCHORS), PolicyConfigurationException.class);
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem)
            .containsExactly(V + " <trustAnchors>", file + " is not readable");
    }

    /** Resolves "file://name" in the temporary directory; other schemes are unknown, as to James's FileSystem. */
    private Path resolve(String location) throws FileNotFoundException {
        if (!location.startsWith("file://")) {
            throw new FileNotFoundException("no classpath here");
        }
        return dir.resolve(location.substring("file://".length()));
    }

    private VerificationCache verification(String elements) throws PolicyConfigurationException {
        return HandlerXml.read("<verification>" + elements + "</verification>" + DEFAULT, this::resolve, CLOCK).verification().orElseThrow();
    }

    private static X509Certificate unknownLeaf() {
        return Authority.root("CN=Unknown CA", TestCertificates.ecKey("secp256r1")).issue("CN=mx.unknown.example").build();
    }

    private static void assertStatus(CertificateStatus status, Outcome outcome, String detail) {
        assertThat(status).extracting(CertificateStatus::outcome, CertificateStatus::detail).containsExactly(outcome, detail);
    }

    private static Arguments refusal(String name, String elements, String where, String problem) {
        return Arguments.of(name, elements, "<verification>", V + where, problem);
    }

    private static Arguments refusal(String name, String elements, String open, String location, String problem) {
        return Arguments.of(name, elements, open, location, problem);
    }
}
