package io.tlsgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.junit.jupiter.api.Test;

/** Which listener a gate handler serves, found by its {@code <handler>} element as James reads smtpserver.xml. */
class ListenerNameTest {
    private static final String GATE = "<handler class=\"io.tlsgate.smtp.InboundTlsGate\"><policy>file://conf/p.xml</policy></handler>";
    private static final String OTHER_GATE = "<handler class=\"io.tlsgate.smtp.InboundTlsGate\"><policy>file://conf/q.xml</policy></handler>";

    private static XMLConfiguration xml(String text) {
        try {
            XMLConfiguration configuration = new XMLConfiguration();
            new FileHandler(configuration).load(new StringReader(text));
            return configuration;
        } catch (ConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String server(String jmxName, String handler, boolean enabled) {
        return "<smtpserver enabled=\"" + enabled + "\">" + (jmxName == null ? "" : "<jmxName>" + jmxName + "</jmxName>")
            + "<handlerchain>" + handler + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/></handlerchain></smtpserver>";
    }

    private static ConfigurationProvider files(Map<String, String> files) {
        return (name, level) -> {
            String text = files.get(name);
            if (text == null) {
                throw new ConfigurationException("no " + name + ".xml");
            }
            return xml(text);
        };
    }

    /** The handler element as ProtocolHandlerChainImpl hands it to the handler. */
    private static HierarchicalConfiguration<ImmutableNode> handler(String element) {
        return xml("<smtpservers>" + server("x", element, true) + "</smtpservers>").configurationsAt("smtpserver.handlerchain.handler").get(0);
    }

    @Test
    void listenersWithThisHandlerElementAreNamedInFileOrderJamesFirst() {
        ConfigurationProvider provider = files(Map.of(
            "smtpserver", "<smtpservers>" + server("mx", GATE, true) + server("submission", OTHER_GATE, true)
                + server("off", GATE, false) + server(null, GATE, true) + "</smtpservers>",
            "tlsgate-listeners", "<smtpservers>" + server("tlsgate-mx", GATE, true) + "</smtpservers>"));

        assertThat(ListenerName.candidates(handler(GATE), provider)).containsExactly("mx", "smtpserver", "tlsgate-mx");
        assertThat(ListenerName.candidates(handler(OTHER_GATE), provider)).containsExactly("submission");
    }

    @Test
    void noFilesNoCandidates() {
        assertThat(ListenerName.candidates(handler(GATE), files(Map.of()))).isEmpty();
        assertThat(ListenerName.candidates(handler(GATE), null)).isEqualTo(List.of());
    }
}
