package io.tlsgate.pki;

import static io.tlsgate.pki.TestCertificates.rsaKey;
import static io.tlsgate.pki.TestCertificates.writePem;
import static io.tlsgate.pki.TestCertificates.writeTrustStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.pki.TestCertificates.Authority;

class TrustAnchorStoreTest {
    private static final Authority PARTNER = Authority.root("CN=Partner Root CA,O=Partner", TestCertificates.ecKey("secp256r1"));
    private static final Authority OTHER = Authority.root("CN=Other Root CA,O=Other", TestCertificates.ecKey("secp256r1"));
    private static final Authority RSA = Authority.root("CN=RSA Root CA,O=Partner", rsaKey("root", 2048));

    @TempDir
    Path dir;

    /** Each way of writing anchors, read by the file name or by an explicit type. */
    static Stream<Arguments> stores() {
        return Stream.of(
            store("PEM with several certificates", "cas.pem", null, null, "pem"),
            store("PEM named .crt", "cas.crt", null, null, "pem"),
            store("PEM named .cer", "cas.cer", null, null, "pem"),
            store("PKCS12 with its password", "cas.p12", null, "changeit", "pkcs12"),
            store("PKCS12 named .pfx", "cas.pfx", null, "changeit", "pkcs12"),
            store("PKCS12 without a password", "cas.p12", null, null, "pkcs12-unprotected"),
            store("JKS with its password", "cas.jks", null, "changeit", "jks"),
            store("JKS read without its password", "cas.jks", null, null, "jks-read-without-password"),
            store("PEM with an unknown extension and type=pem", "cas.txt", "pem", null, "pem"),
            store("PKCS12 with another extension and type=PKCS12", "anchors.bin", "PKCS12", "changeit", "pkcs12"),
            store("JKS named .keystore and type=jks", "cas.keystore", "jks", "changeit", "jks"),
            store("the type wins over the extension", "cas.pem", "jks", "changeit", "jks"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void stores(String name, String fileName, String type, String password, String format) {
        Path file = write(dir.resolve(fileName), format, password, PARTNER.certificate, OTHER.certificate, RSA.certificate);
        String readPassword = format.equals("jks-read-without-password") ? null : password;
        TrustAnchorStore store = TrustAnchorStore.load(List.of(source(file, type, readPassword)), false);
        assertThat(store.certificates()).containsExactlyInAnyOrder(PARTNER.certificate, OTHER.certificate, RSA.certificate);
        assertThat(store.anchors()).extracting(TrustAnchor::getTrustedCert)
            .containsExactlyInAnyOrder(PARTNER.certificate, OTHER.certificate, RSA.certificate);
        assertThat(store.contains(OTHER.certificate)).isTrue();
    }

    @Test
    void severalFilesAddUpInOrder() {
        Path pem = writePem(dir.resolve("partner.pem"), PARTNER.certificate);
        Path jks = writeTrustStore(dir.resolve("other.jks"), "JKS", "changeit", OTHER.certificate);
        TrustAnchorStore store = TrustAnchorStore.load(List.of(source(pem, null, null), source(jks, null, "changeit")), false);
        assertThat(store.certificates()).containsExactly(PARTNER.certificate, OTHER.certificate);
        assertThat(store.contains(RSA.certificate)).isFalse();
    }

    @Test
    void theJvmDefaultsAreAddedOnlyWhenAsked() {
        Path pem = writePem(dir.resolve("partner.pem"), PARTNER.certificate);
        assertThat(TrustAnchorStore.load(List.of(source(pem, null, null)), false).certificates()).containsExactly(PARTNER.certificate);

        List<X509Certificate> withJvm = TrustAnchorStore.load(List.of(source(pem, null, null)), true).certificates();
        List<X509Certificate> jvmOnly = TrustAnchorStore.load(List.of(), true).certificates();
        assertThat(jvmOnly).isNotEmpty().doesNotContain(PARTNER.certificate);
        assertThat(withJvm).hasSize(jvmOnly.size() + 1).startsWith(PARTNER.certificate).containsAll(jvmOnly);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
            refusal("nothing at all", dir -> List.of(), "no trust anchor configured"),
            refusal("a missing file", dir -> List.of(source(dir.resolve("missing.pem"), null, null)),
                "{dir}/missing.pem does not exist or is not a file"),
            refusal("a directory", dir -> List.of(source(dir, "pem", null)), "{dir} does not exist or is not a file"),
            refusal("an empty PEM file", dir -> List.of(source(text(dir.resolve("empty.pem"), ""), null, null)),
                "{dir}/empty.pem holds no certificate"),
            refusal("a PEM file with text only", dir -> List.of(source(text(dir.resolve("notes.pem"), "partner CAs\n"), null, null)),
                "{dir}/notes.pem: cannot read it as pem (No certificate data found)"),
            refusal("an unknown extension without a type", dir -> List.of(source(writePem(dir.resolve("cas.txt"), PARTNER.certificate), null, null)),
                "{dir}/cas.txt: cannot tell the file type from its name; say type=\"pem\", \"pkcs12\" or \"jks\""),
            refusal("PKCS12 with a wrong password", dir -> List.of(source(
                    writeTrustStore(dir.resolve("cas.p12"), "PKCS12", "changeit", PARTNER.certificate), null, "wrong")),
                "{dir}/cas.p12: wrong password (keystore password was incorrect)"),
            refusal("JKS with a wrong password", dir -> List.of(source(
                    writeTrustStore(dir.resolve("cas.jks"), "JKS", "changeit", PARTNER.certificate), null, "wrong")),
                "{dir}/cas.jks: wrong password (Keystore was tampered with, or password was incorrect)"),
            refusal("PKCS12 with encrypted certificates, read without a password", dir -> List.of(source(
                    writeTrustStore(dir.resolve("cas.p12"), "PKCS12", "changeit", PARTNER.certificate), null, null)),
                "{dir}/cas.p12 holds no certificate readable without a password; add password=\"...\""),
            refusal("a PEM file read as JKS", dir -> List.of(source(writePem(dir.resolve("cas.pem"), PARTNER.certificate), "jks", null)),
                "{dir}/cas.pem: cannot read it as jks (Invalid keystore format)"),
            refusal("a corrupt JKS file", dir -> List.of(source(text(dir.resolve("cas.jks"), "not a key store"), null, null)),
                "{dir}/cas.jks: cannot read it as jks (Invalid keystore format)"),
            refusal("a key store without trusted entries", dir -> List.of(source(
                    writeTrustStore(dir.resolve("empty.jks"), "JKS", "changeit"), null, "changeit")),
                "{dir}/empty.jks holds no certificate"),
            refusal("the second of two files is bad", dir -> List.of(
                    source(writePem(dir.resolve("partner.pem"), PARTNER.certificate), null, null),
                    source(text(dir.resolve("other.pem"), ""), null, null)),
                "{dir}/other.pem holds no certificate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(String name, java.util.function.Function<Path, List<TrustAnchorStore.Source>> sources, String message) {
        assertThatThrownBy(() -> TrustAnchorStore.load(sources.apply(dir), false))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(message.replace("{dir}", dir.toString()));
    }

    @Test
    void aCorruptPkcs12FileIsRefusedAsSuch() {
        Path file = text(dir.resolve("cas.p12"), "not a key store");
        assertThatThrownBy(() -> TrustAnchorStore.load(List.of(source(file, null, null)), false))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(file + ": cannot read it as pkcs12 (");
    }

    /** Root reads every file, so this only runs as an ordinary user. */
    @Test
    void anUnreadableFileIsRefused() throws IOException {
        Path file = writePem(dir.resolve("cas.pem"), PARTNER.certificate);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(file)).as("running as root: every file is readable").isFalse();
        assertThatThrownBy(() -> TrustAnchorStore.load(List.of(source(file, null, null)), false))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(file + " is not readable");
    }

    @Test
    void aStoreMadeOfCertificatesIsImmutable() {
        TrustAnchorStore store = TrustAnchorStore.of(List.of(PARTNER.certificate));
        assertThat(store.anchors()).hasSize(1);
        assertThatThrownBy(() -> store.certificates().add(OTHER.certificate)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> store.anchors().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(TrustAnchorStore.of(List.of()).anchors()).isEmpty();
    }

    private static Path write(Path file, String format, String password, X509Certificate... certificates) {
        switch (format) {
            case "pem":
                return writePem(file, certificates);
            case "pkcs12":
                return writeTrustStore(file, "PKCS12", password, certificates);
            case "pkcs12-unprotected":
                return writeTrustStore(file, "PKCS12", null, certificates);
            default:
                return writeTrustStore(file, "JKS", "changeit", certificates);
        }
    }

    private static TrustAnchorStore.Source source(Path file, String type, String password) {
        return new TrustAnchorStore.Source(file, Optional.ofNullable(type), Optional.ofNullable(password));
    }

    private static Path text(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Arguments store(String name, String fileName, String type, String password, String format) {
        return Arguments.of(name, fileName, type, password, format);
    }

    private static Arguments refusal(String name, java.util.function.Function<Path, List<TrustAnchorStore.Source>> sources, String message) {
        return Arguments.of(name, sources, message);
    }

    @SuppressWarnings("unused")
    private static String names(List<X509Certificate> certificates) {
        return certificates.stream().map(TestCertificates::subject).collect(Collectors.joining("; "));
    }
}
