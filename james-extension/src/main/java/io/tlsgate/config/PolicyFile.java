package io.tlsgate.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Policy files: the relay's file with root {@code <outbound>}, and the shared file with root {@code <tlsgate>} that
 * holds the rules of both directions, read by the same readers as inline rules:
 *
 * <pre>
 * &lt;tlsgate&gt;
 *   &lt;inbound&gt;  what the handler element holds inline: verification, default, client, relay &lt;/inbound&gt;
 *   &lt;outbound&gt; what an outbound policy file holds &lt;/outbound&gt;
 * &lt;/tlsgate&gt;
 * </pre>
 *
 * The handler names such a file with {@code <policy>file://conf/tlsgate-policy.xml</policy>} instead of inline rules,
 * optionally with {@code <reloadInterval>}. Errors name the file, then the element.
 */
public final class PolicyFile {
    public static final String ROOT = "tlsgate";
    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = OutboundPolicyReader.ROOT;
    public static final String POLICY = "policy";
    public static final String RELOAD_INTERVAL = "reloadInterval";
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|milliseconds?|s|seconds?|m|minutes?)?");

    private PolicyFile() {
    }

    /** Where the handler's rules come from: a file ({@code <policy>}) or, when empty, the element itself (inline). */
    public static final class HandlerSource {
        private final Optional<String> location;
        private final Duration reloadInterval;

        private HandlerSource(Optional<String> location, Duration reloadInterval) {
            this.location = location;
            this.reloadInterval = reloadInterval;
        }

        public Optional<String> location() {
            return location;
        }

        /** How often the file is checked for changes; zero: never. */
        public Duration reloadInterval() {
            return reloadInterval;
        }
    }

    /**
     * Reads {@code <policy>} and {@code <reloadInterval>} of the handler element. A handler with a policy file holds
     * nothing else: rules both inline and in a file would leave it unclear which one counts.
     */
    public static HandlerSource handlerSource(Configuration handler) throws PolicyConfigurationException {
        ConfigElement root = ConfigElement.root(handler);
        Map<String, List<ConfigElement>> children = root.childrenByName();
        List<ConfigElement> policy = children.getOrDefault(POLICY, List.of());
        List<ConfigElement> interval = children.getOrDefault(RELOAD_INTERVAL, List.of());
        if (policy.isEmpty()) {
            if (!interval.isEmpty()) {
                throw interval.get(0).error("applies to a <policy> file only: rules written inline in the handler are read"
                    + " once, at start-up (move them into a policy file to reload them)");
            }
            return new HandlerSource(Optional.empty(), Duration.ZERO);
        }
        for (List<ConfigElement> group : children.values()) {
            ConfigElement first = group.get(0);
            if (!first.name().equals(POLICY) && !first.name().equals(RELOAD_INTERVAL)) {
                throw first.error("cannot stand next to <policy>: the rules are either inline in the handler or in the"
                    + " <policy> file, not both (move <" + first.name() + "> into the <inbound> section of the file)");
            }
            if (group.size() > 1) {
                throw group.get(1).error("is given twice; keep one");
            }
        }
        policy.get(0).allowAttributes(Set.of());
        return new HandlerSource(Optional.of(policy.get(0).text()),
            interval.isEmpty() ? DEFAULT_RELOAD_INTERVAL : reloadInterval(interval.get(0)));
    }

    /** The relay mailet's {@code <reloadInterval>} (James flattens mailet elements to text): default when null. */
    public static Duration reloadInterval(String value) throws PolicyConfigurationException {
        if (value == null) {
            return DEFAULT_RELOAD_INTERVAL;
        }
        return parseInterval(value, "<" + RELOAD_INTERVAL + ">");
    }

    private static Duration reloadInterval(ConfigElement element) throws PolicyConfigurationException {
        element.allowAttributes(Set.of());
        return parseInterval(element.text(), element.location());
    }

    private static Duration parseInterval(String value, String location) throws PolicyConfigurationException {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new PolicyConfigurationException(location, "'" + value.trim() + "' is not a duration; write e.g. 5 seconds,"
                + " 500 ms, 1 minute, or 0 (never reload)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration interval = unit.startsWith("ms") || unit.startsWith("milli") ? Duration.ofMillis(amount)
            : unit.startsWith("m") ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
        if (!interval.isZero() && interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new PolicyConfigurationException(location, "'" + value.trim() + "' is too short: at least 100 ms, or 0 (never reload)");
        }
        return interval;
    }

    /** The inbound rules of a file with root {@code <tlsgate>} (its {@code <inbound>} section) or {@code <inbound>}. */
    public static LoadedPolicy<InboundPolicy> readInbound(Path file, FileResolver files, Clock clock) throws PolicyConfigurationException {
        return read(file, INBOUND, InboundPolicyReader::read, files, clock);
    }

    /** The outbound rules of a file with root {@code <outbound>} or {@code <tlsgate>} (its {@code <outbound>} section). */
    public static LoadedPolicy<OutboundPolicy> readOutbound(Path file, FileResolver files, Clock clock) throws PolicyConfigurationException {
        return read(file, OUTBOUND, OutboundPolicyReader::read, files, clock);
    }

    /** Reads one direction's section (inline rules and policy files share these readers). */
    @FunctionalInterface
    private interface SectionReader<P> {
        P read(Configuration section, FileResolver files, Clock clock) throws PolicyConfigurationException;
    }

    private static <P> LoadedPolicy<P> read(Path file, String sectionName, SectionReader<P> reader, FileResolver files, Clock clock)
            throws PolicyConfigurationException {
        Parsed parsed = parse(file);
        HierarchicalConfiguration<ImmutableNode> section = section(file, parsed, sectionName);
        try {
            FileResolver.Recording recording = new FileResolver.Recording(files);
            P policy = reader.read(section, recording, clock);
            return new LoadedPolicy<>(policy, withNamedFiles(file, parsed.sha256, recording.resolved()));
        } catch (PolicyConfigurationException e) {
            throw inFile(file, parsed, e);
        }
    }

    private static final class Parsed {
        final XMLConfiguration xml;
        final String sha256;

        Parsed(XMLConfiguration xml, String sha256) {
            this.xml = xml;
            this.sha256 = sha256;
        }
    }

    private static Parsed parse(Path file) throws PolicyConfigurationException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyConfigurationException(file.toString(), "does not exist");
        } catch (IOException e) {
            throw new PolicyConfigurationException(file.toString(), "cannot be read: " + e);
        }
        XMLConfiguration xml = new XMLConfiguration();
        xml.setListDelimiterHandler(new DisabledListDelimiterHandler());
        try {
            // A builder that reports errors only by exception: the JDK's default prints "[Fatal Error]" to stderr.
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            // No DOCTYPE: an external entity would read other files (unwatched) or fetch URLs at every reload.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            javax.xml.parsers.DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
                    throw e;
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
                    throw e;
                }
            });
            xml.setDocumentBuilder(builder);
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("no XML parser", e);
        }
        try {
            new FileHandler(xml).load(new ByteArrayInputStream(content));
        } catch (ConfigurationException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof org.xml.sax.SAXParseException)) {
                cause = cause.getCause();
            }
            String where = cause instanceof org.xml.sax.SAXParseException
                ? "line " + ((org.xml.sax.SAXParseException) cause).getLineNumber() + ", column "
                    + ((org.xml.sax.SAXParseException) cause).getColumnNumber() + ": " : "";
            throw new PolicyConfigurationException(file.toString(), "is not well-formed XML: " + where + cause.getMessage());
        }
        return new Parsed(xml, FileFingerprint.of(content));
    }

    private static HierarchicalConfiguration<ImmutableNode> section(Path file, Parsed parsed, String name)
            throws PolicyConfigurationException {
        XMLConfiguration xml = parsed.xml;
        String root = xml.getRootElementName();
        if (name.equals(root)) {
            return xml;
        }
        if (!ROOT.equals(root)) {
            throw new PolicyConfigurationException(file.toString(), "is not " + (name.equals(INBOUND) ? "an inbound" : "an outbound")
                + " policy: its root element is <" + root + ">, expected <" + name + "> or <" + ROOT + ">");
        }
        ConfigElement top = ConfigElement.root(xml);
        top.allowAttributes(Set.of());
        top.requireNoText();
        Map<String, List<ConfigElement>> children = top.childrenByName();
        for (List<ConfigElement> group : children.values()) {
            try {
                ElementNames.requireKnown(group.get(0), List.of(INBOUND, OUTBOUND));
                if (group.size() > 1) {
                    throw group.get(1).error("is given twice; keep one");
                }
            } catch (PolicyConfigurationException e) {
                throw new PolicyConfigurationException(file + " " + e.location(), e.problem());
            }
        }
        if (!children.containsKey(name)) {
            throw new PolicyConfigurationException(file + " <" + ROOT + ">", "has no <" + name + "> section: write the "
                + (name.equals(INBOUND) ? "inbound rules (what the handler element would hold inline)" : "outbound rules")
                + " in <" + name + ">...</" + name + ">");
        }
        return xml.configurationAt(name);
    }

    private static PolicyConfigurationException inFile(Path file, Parsed parsed, PolicyConfigurationException e) {
        String prefix = ROOT.equals(parsed.xml.getRootElementName()) ? file + " <" + ROOT + ">" : file.toString();
        return new PolicyConfigurationException(prefix + " " + e.location(), e.problem());
    }

    /**
     * The policy file and every file it names (an access file, trust anchors, CRL files, key stores): a change to any
     * of them reloads the policy, so that replacing a compromised CA file takes effect like an edit of the rules.
     */
    private static Map<Path, String> withNamedFiles(Path file, String sha256, Map<Path, String> named) {
        Map<Path, String> all = new java.util.LinkedHashMap<>();
        all.put(file, sha256);
        named.forEach(all::putIfAbsent);
        return all;
    }
}
