package io.tlsgate.smtp;

import java.lang.management.ManagementFactory;
import java.util.List;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.management.ObjectName;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.lib.handler.ProtocolHandlerLoader;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.james.utils.UserDefinedStartable;
import org.apache.james.util.LoggingLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts TLS Gate's listeners that ask for client certificates, from {@code conf/tlsgate-listeners.xml} (the
 * standard {@code smtpserver.xml} schema), when James starts, and stops them when it stops. Listed in
 * {@code extensions.properties} as {@code guice.extension.startable=io.tlsgate.smtp.ClientCertificateListeners}.
 *
 * <p>James 3.8.1 offers no supported way to make its own listeners ask for an optional certificate, and an
 * extension cannot replace James's listener factory. These listeners are James's own {@link SMTPServer}, built by
 * James's own factory code, with only the TLS setup overridden.
 */
public class ClientCertificateListeners implements UserDefinedStartable {
    static final String CONFIGURATION = "tlsgate-listeners";
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientCertificateListeners.class);

    private final ConfigurationProvider configurations;
    private final Factory factory;

    @Inject
    public ClientCertificateListeners(ConfigurationProvider configurations, DNSService dns, ProtocolHandlerLoader loader,
                                      FileSystem files, MetricFactory metrics) {
        this.configurations = configurations;
        this.factory = new Factory(dns, loader, files, metrics);
    }

    @Override
    public void start() {
        HierarchicalConfiguration<ImmutableNode> root;
        try {
            root = configurations.getConfiguration(CONFIGURATION, LoggingLevel.ERROR);
        } catch (ConfigurationException e) {
            throw new IllegalStateException("TLS Gate: conf/" + CONFIGURATION + ".xml cannot be read: " + e.getMessage(), e);
        }
        if (root.configurationsAt("smtpserver").isEmpty()) {
            throw new IllegalStateException("TLS Gate: conf/" + CONFIGURATION + ".xml defines no <smtpserver>, but"
                + " ClientCertificateListeners is listed in extensions.properties: add the listeners, or remove the startable");
        }
        factory.configure(root);
        try {
            factory.init();
        } catch (Exception e) {
            release();
            throw new IllegalStateException("TLS Gate: the listeners of conf/" + CONFIGURATION + ".xml did not start: " + e.getMessage(), e);
        }
        LOGGER.info("TLS Gate started {} listener(s) that ask for client certificates", factory.getServers().size());
    }

    @PreDestroy
    public void stop() {
        if (factory.getServers() != null) {
            factory.destroy();
        }
    }

    /** The servers this startable runs, for tests and administration. */
    public List<AbstractConfigurableAsyncServer> servers() {
        return factory.getServers() == null ? List.of() : factory.getServers();
    }

    /** After a failed start, free what was bound and registered, so that a new start in this JVM can succeed. */
    private void release() {
        if (factory.getServers() == null) {
            return;
        }
        for (AbstractConfigurableAsyncServer server : factory.getServers()) {
            try {
                server.destroy();
            } catch (RuntimeException e) {
                // A server that never finished init() has nothing (or not everything) to release.
                LOGGER.debug("Releasing a listener that did not start: {}", e.toString());
            }
        }
    }

    /** James's SMTP server factory, making servers whose TLS asks for client certificates. */
    private static final class Factory extends SMTPServerFactory {
        private List<AbstractConfigurableAsyncServer> created;

        Factory(DNSService dns, ProtocolHandlerLoader loader, FileSystem files, MetricFactory metrics) {
            super(dns, loader, files, metrics);
        }

        @Override
        protected SMTPServer createServer() {
            return new ClientCertificateSmtpServer(smtpMetrics, fileSystem);
        }

        @Override
        protected List<AbstractConfigurableAsyncServer> createServers(HierarchicalConfiguration<ImmutableNode> config) throws Exception {
            List<String> names = new java.util.ArrayList<>();
            for (HierarchicalConfiguration<ImmutableNode> server : config.configurationsAt("smtpserver")) {
                String name = server.getString("jmxName", "smtpserver");
                if (names.contains(name)) {
                    throw new ConfigurationException("two listeners are named " + name + "; each needs its own <jmxName>");
                }
                if (ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName("org.apache.james:type=server,name=" + name))) {
                    throw new ConfigurationException("<jmxName>" + name + "</jmxName> is already used by another James listener;"
                        + " give this one its own");
                }
                names.add(name);
            }
            created = super.createServers(config);
            return created;
        }

        /** As James's, but a failure names the listener. */
        @Override
        public void init() throws Exception {
            try {
                super.init();
            } catch (Exception e) {
                String name = created == null ? "" : created.stream()
                    .filter(server -> !server.isStarted())
                    .findFirst()
                    .map(server -> ((ClientCertificateSmtpServer) server).name())
                    .orElse("");
                throw name.isEmpty() ? e : new ConfigurationException("listener " + name + ": " + e.getMessage(), e);
            }
        }
    }
}
