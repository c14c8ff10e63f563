package io.tlsgate.smtp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;

/**
 * The name of the listener a gate handler serves. James gives a handler only its own {@code <handler>} element, so
 * the listeners are found by that element: every enabled {@code <smtpserver>} of smtpserver.xml, then of
 * tlsgate-listeners.xml, whose chain holds a gate handler with exactly these settings. Its name is its
 * {@code <jmxName>}, unique per James.
 */
final class ListenerName {
    /** James's SMTP listeners, then TLS Gate's own (started later). */
    private static final List<String> FILES = List.of("smtpserver", ClientCertificateListeners.CONFIGURATION);
    /** SMTPServer's default jmxName. */
    private static final String DEFAULT_JMX_NAME = "smtpserver";
    /** The name used when no listener is found (a chain configured outside those files). */
    static final String UNKNOWN = "inbound";

    private ListenerName() {
    }

    /** The names of the listeners whose chain holds a gate handler configured like {@code handler}, in file order. */
    static List<String> candidates(Configuration handler, ConfigurationProvider configurations) {
        List<String> names = new ArrayList<>();
        if (configurations == null) {
            return names;
        }
        for (String file : FILES) {
            HierarchicalConfiguration<ImmutableNode> root;
            try {
                root = configurations.getConfiguration(file);
            } catch (Exception e) {
                // No such file: no listeners there.
                continue;
            }
            for (HierarchicalConfiguration<ImmutableNode> server : root.configurationsAt("smtpserver")) {
                if (!server.getBoolean("[@enabled]", true)) {
                    continue;
                }
                for (HierarchicalConfiguration<ImmutableNode> element : server.configurationsAt("handlerchain.handler")) {
                    if (InboundTlsGate.class.getName().equals(element.getString("[@class]", "")) && sameSettings(element, handler)) {
                        names.add(server.getString("jmxName", DEFAULT_JMX_NAME));
                        break;
                    }
                }
            }
        }
        return names;
    }

    private static boolean sameSettings(Configuration a, Configuration b) {
        Set<String> keys = keys(a);
        if (!keys.equals(keys(b))) {
            return false;
        }
        for (String key : keys) {
            if (!List.of(a.getStringArray(key)).equals(List.of(b.getStringArray(key)))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> keys(Configuration configuration) {
        Set<String> keys = new HashSet<>();
        for (Iterator<String> it = configuration.getKeys(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }
}
