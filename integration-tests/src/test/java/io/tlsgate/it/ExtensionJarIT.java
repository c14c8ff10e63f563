package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The jar an administrator drops into extensions-jars/ carries TLS Gate's classes and nothing James already has. */
class ExtensionJarIT {
    private static final Path JAR = SampleServer.home().resolve("extensions-jars/james-extension.jar");

    @Test
    void theJarHoldsOnlyTlsGateClasses() throws Exception {
        assertThat(JAR).exists();
        List<String> entries;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            entries = Collections.list(jar.entries()).stream().map(e -> e.getName()).collect(Collectors.toList());
        }
        assertThat(entries).anyMatch(e -> e.equals("io/tlsgate/smtp/InboundTlsGate.class"));
        assertThat(entries).allMatch(e -> e.startsWith("io/tlsgate/") || e.startsWith("META-INF/") || e.equals("io/"),
            "only io/tlsgate/** and META-INF/**");
    }

    @Test
    void theJarTargetsJava11() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            byte[] header = jar.getInputStream(jar.getEntry("io/tlsgate/smtp/InboundTlsGate.class")).readNBytes(8);
            int major = ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            assertThat(major).as("class file major version (55 = Java 11)").isEqualTo(55);
        }
    }

    @Test
    void theTestsCannotSeeTheExtensionClassesSoJamesLoadsThemFromTheJar() {
        // Every integration test exercises the jar through extensions-jars/, never through this class path.
        assertThatThrownBy(() -> Class.forName("io.tlsgate.smtp.InboundTlsGate")).isInstanceOf(ClassNotFoundException.class);
        assertThat(Files.exists(JAR)).isTrue();
    }
}
