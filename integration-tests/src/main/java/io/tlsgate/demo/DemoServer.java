package io.tlsgate.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.ObjectName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

import io.tlsgate.demo.pki.DemoPki;

/**
 * A real James 3.8.1 memory server laid out the way an administrator installs TLS Gate: a working directory
 * with {@code conf/} copied from a conf-samples set, the demo PKI in {@code conf/tls/}, and the built extension
 * jar in {@code extensions-jars/}. Only the listeners' bind addresses are changed (to loopback ports).
 */
public final class DemoServer implements AutoCloseable {
    public static final String DOMAIN = "demo.test";
    public static final String USER = "alice@" + DOMAIN;
    public static final String USER_PASSWORD = "alice-demo-password";
    /** The user partner MTAs relay as (tlsgate-listeners.xml maps their certificates to it). */
    public static final String PARTNER_USER = "partner@" + DOMAIN;

    private final GuiceJamesServer james;
    private final DemoPki pki;
    private final Path workingDirectory;
    private final Map<String, Integer> ports;
    private final WorkingDirectory claim;
    private WebAdminAccess webAdmin;

    private DemoServer(GuiceJamesServer james, DemoPki pki, WorkingDirectory claim, Map<String, Integer> ports) {
        this.james = james;
        this.pki = pki;
        this.workingDirectory = claim.path();
        this.claim = claim;
        this.ports = ports;
    }

    /** Everything needed to lay out and boot one server. */
    public static final class Setup {
        private final Path home;
        private final Path workingDirectory;
        private String confSample = "inbound-gate";
        private final Map<String, Integer> ports = new LinkedHashMap<>();
        private String smtpServerXml;
        private final Map<String, String> confFiles = new LinkedHashMap<>();
        private final List<Module> overrides = new ArrayList<>();
        private KeyMaterial keyMaterial;

        /**
         * @param home where the build put extensions-jars/ and conf-samples/ (integration-tests/target)
         * @param workingDirectory James's working directory; emptied first
         */
        public Setup(Path home, Path workingDirectory) {
            this.home = home;
            this.workingDirectory = workingDirectory;
        }

        public Setup confSample(String name) {
            this.confSample = name;
            return this;
        }

        /** The loopback port for the listener with this jmxName; listeners not named get a free port. */
        public Setup port(String jmxName, int port) {
            ports.put(jmxName, port);
            return this;
        }

        /** Replaces the sample's smtpserver.xml (tests of configurations the sample does not show). */
        public Setup smtpServerXml(String xml) {
            this.smtpServerXml = xml;
            return this;
        }

        /** Adds or replaces a file of conf/ (e.g. tlsgate-listeners.xml, extensions.properties). */
        public Setup confFile(String name, String content) {
            confFiles.put(name, content);
            return this;
        }

        /** Guice overrides, e.g. an in-memory DNS with PTR records for name-based rules. */
        public Setup override(Module module) {
            overrides.add(module);
            return this;
        }

        /**
         * Writes exactly this key material into conf/tls/ instead of the demo PKI (tests of a set that names its own
         * files); {@link DemoServer#pki()} is then null.
         */
        public Setup keyMaterial(KeyMaterial writer) {
            this.keyMaterial = writer;
            return this;
        }

        public DemoServer start() throws Exception {
            return DemoServer.start(this);
        }
    }

    /** Writes the key material a configuration set needs into its conf/tls/ directory. */
    @FunctionalInterface
    public interface KeyMaterial {
        void write(Path tlsDirectory) throws Exception;
    }

    /** Where the build put the extension jar and conf-samples: -Dtlsgate.home, else the folder of this code. */
    public static Path home() {
        String configured = System.getProperty("tlsgate.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        try {
            return Path.of(DemoServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DemoServer start(Setup setup) throws Exception {
        WorkingDirectory claim = WorkingDirectory.claim(setup.workingDirectory);
        try {
            return start(setup, claim);
        } catch (Exception | Error e) {
            claim.close();
            throw e;
        }
    }

    private static DemoServer start(Setup setup, WorkingDirectory claim) throws Exception {
        Path work = claim.path();
        Path conf = work.resolve("conf");
        copyRecursively(setup.home.resolve("conf-samples").resolve(setup.confSample), conf);
        if (setup.smtpServerXml != null) {
            Files.writeString(conf.resolve("smtpserver.xml"), setup.smtpServerXml);
        }
        for (Map.Entry<String, String> file : setup.confFiles.entrySet()) {
            Files.writeString(conf.resolve(file.getKey()), file.getValue());
        }
        for (Path listeners : listenerFiles(conf)) {
            rewriteBinds(listeners, setup.ports);
        }
        DemoPki pki = null;
        if (setup.keyMaterial == null) {
            pki = DemoPki.generate(conf.resolve("tls"));
        } else {
            setup.keyMaterial.write(Files.createDirectories(conf.resolve("tls")));
        }
        installExtension(setup.home.resolve("extensions-jars"), work.resolve("extensions-jars"));
        WebAdminAccess webAdmin = WebAdminAccess.prepare(conf);

        GuiceJamesServer james = MemoryJamesServerMain.createServer(MemoryJamesConfiguration.builder()
                .workingDirectory(work.toFile())
                .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
                .build())
            .combineWith(binder -> {
                Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class);
                probes.addBinding().to(InboxProbe.class);
                probes.addBinding().to(QueueProbe.class);
            })
            .overrideWith(setup.overrides.toArray(new Module[0]));
        try {
            james.start();
            DataProbeImpl data = james.getProbe(DataProbeImpl.class);
            if (!data.containsDomain(DOMAIN)) {
                data.addDomain(DOMAIN);
            }
            data.addUser(USER, USER_PASSWORD);
            data.addUser(PARTNER_USER, java.util.UUID.randomUUID().toString());
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (Path listeners : listenerFiles(conf)) {
                ports.putAll(boundPorts(listeners));
            }
            DemoServer server = new DemoServer(james, pki, claim, ports);
            if (webAdmin != null) {
                webAdmin.port(james.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
                server.webAdmin = webAdmin;
            }
            return server;
        } catch (Exception | Error e) {
            james.stop();
            throw e;
        }
    }

    /** The demo PKI in conf/tls/, or null when the setup wrote its own key material. */
    public DemoPki pki() {
        return pki;
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    /** Listener ports by jmxName, in the order of smtpserver.xml, then tlsgate-listeners.xml. */
    public Map<String, Integer> ports() {
        return ports;
    }

    public int port(String jmxName) {
        Integer port = ports.get(jmxName);
        if (port == null) {
            throw new IllegalArgumentException("no listener " + jmxName + " (have " + ports.keySet() + ")");
        }
        return port;
    }

    /** WebAdmin, when the configuration set enables it (on a free loopback port, with a fresh JWT key); else empty. */
    public Optional<WebAdminAccess> webAdmin() {
        return Optional.ofNullable(webAdmin);
    }

    public GuiceJamesServer james() {
        return james;
    }

    public List<QueueProbe.Queued> queue(String name) {
        return james.getProbe(QueueProbe.class).browse(name);
    }

    public List<String> inbox(String user) {
        return james.getProbe(InboxProbe.class).messages(user);
    }

    /** Waits (up to 30 s, delivery is asynchronous) for the message with this subject; "" if it never arrives. */
    public String awaitMessage(String user, String subject) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        do {
            Optional<String> message = inbox(user).stream().filter(m -> m.contains("Subject: " + subject + "\r\n")).findFirst();
            if (message.isPresent()) {
                return message.get();
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return "";
    }

    @Override
    public void close() {
        try {
            james.stop();
        } finally {
            claim.close();
        }
    }

    /** James's smtpserver.xml and, when present, TLS Gate's own listeners. */
    private static List<Path> listenerFiles(Path conf) {
        List<Path> files = new ArrayList<>();
        files.add(conf.resolve("smtpserver.xml"));
        if (Files.exists(conf.resolve("tlsgate-listeners.xml"))) {
            files.add(conf.resolve("tlsgate-listeners.xml"));
        }
        return files;
    }

    private static void rewriteBinds(Path smtpServerXml, Map<String, Integer> ports) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document document = factory.newDocumentBuilder().parse(smtpServerXml.toFile());
        NodeList servers = document.getElementsByTagName("smtpserver");
        for (int i = 0; i < servers.getLength(); i++) {
            Element server = (Element) servers.item(i);
            String jmxName = childText(server, "jmxName")
                .orElseThrow(() -> new IllegalStateException(smtpServerXml + ": every <smtpserver> needs a <jmxName>"));
            Element bind = child(server, "bind").orElseGet(() -> (Element) server.appendChild(document.createElement("bind")));
            bind.setTextContent("127.0.0.1:" + ports.getOrDefault(jmxName, 0));
        }
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.INDENT, "no");
        transformer.transform(new DOMSource(document), new StreamResult(smtpServerXml.toFile()));
    }

    /** The ports James really bound, read from each listener's JMX bean (org.apache.james:type=server,name=jmxName). */
    private static Map<String, Integer> boundPorts(Path smtpServerXml) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(smtpServerXml.toFile());
        NodeList servers = document.getElementsByTagName("smtpserver");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < servers.getLength(); i++) {
            Element server = (Element) servers.item(i);
            if ("false".equals(server.getAttribute("enabled"))) {
                continue;
            }
            String jmxName = childText(server, "jmxName").orElseThrow();
            String[] addresses = (String[]) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("org.apache.james:type=server,name=" + jmxName), "BoundAddresses");
            String first = addresses[0];
            ports.put(jmxName, Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)));
        }
        return ports;
    }

    private static Optional<Element> child(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element && name.equals(children.item(i).getNodeName())) {
                return Optional.of((Element) children.item(i));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> childText(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().trim());
    }

    private static void installExtension(Path builtJars, Path extensionsJars) throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.exists(builtJars) ? Files.list(builtJars) : Stream.empty()) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList());
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("No extension jar in " + builtJars + ": build the project first (mvn -B package)");
        }
        Files.createDirectories(extensionsJars);
        for (Path jar : jars) {
            Files.copy(jar, extensionsJars.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IllegalStateException("No configuration set " + from);
        }
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
