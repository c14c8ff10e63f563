package io.tlsgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.StringReader;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.mailetcontainer.impl.MailetConfigImpl;
import org.junit.jupiter.api.Test;

/**
 * The relay mailet finds its own element of mailetcontainer.xml from the configuration James flattened it into
 * (James's own MailetConfigImpl here), and its settings check accepts inline rules but not misspelt elements.
 */
class MailetElementTest {
    private static final String RELAY = "io.tlsgate.delivery.TlsRemoteDelivery";
    private static final String CONTAINER = "<mailetcontainer><context/><processors>"
        + "<processor state='root'><mailet match='All' class='ToProcessor'><processor>relay</processor></mailet></processor>"
        + "<processor state='relay'>"
        + "  <mailet match='HostIs=a.example' class='" + RELAY + "'>"
        + "    <outgoing>outgoing-a</outgoing>"
        + "    <default><level>may</level></default>"
        + "    <destination domain='x.example'><level>encrypt</level></destination>"
        + "    <destination domain='y.example'><level>none</level></destination>"
        + "  </mailet>"
        + "  <mailet match='All' class='" + RELAY + "'>"
        + "    <verification><trustAnchors>file://conf/tls/ca.crt</trustAnchors></verification>"
        + "    <default><level>verify</level></default>"
        + "    <destination domain='x.example'><level>encrypt</level></destination>"
        + "    <destination domain='y.example'><level>secure</level></destination>"
        + "    <mail.smtp.localhost>relay.example</mail.smtp.localhost>"
        + "    <delayTime>1 minute, 2 minutes</delayTime>"
        + "  </mailet>"
        + "  <mailet match='All' class='" + RELAY + "'>"
        + "    <default><level>verify</level></default>"
        + "    <destination domain='x.example'><level>encrypt</level></destination>"
        + "    <destination domain='y.example'><level>secure</level></destination>"
        + "  </mailet>"
        + "</processor></processors></mailetcontainer>";

    private static XMLConfiguration parse(String xml) throws Exception {
        XMLConfiguration configuration = new XMLConfiguration();
        configuration.setListDelimiterHandler(new DisabledListDelimiterHandler());
        new FileHandler(configuration).load(new StringReader(xml));
        return configuration;
    }

    /** What James hands the mailet of this element. */
    private static MailetConfigImpl flattened(HierarchicalConfiguration<ImmutableNode> element) {
        MailetConfigImpl config = new MailetConfigImpl();
        config.setMailetName(element.getString("[@class]"));
        config.setConfiguration(element);
        return config;
    }

    @Test
    void eachMailetFindsItsOwnElementAmongSimilarOnes() throws Exception {
        XMLConfiguration container = parse(CONTAINER);
        List<HierarchicalConfiguration<ImmutableNode>> relays = container.configurationsAt("processors.processor(1).mailet");
        assertThat(relays).hasSize(3);
        for (HierarchicalConfiguration<ImmutableNode> relay : relays) {
            List<MailetElement.Found> found = MailetElement.find(container, flattened(relay));
            assertThat(found).singleElement().satisfies(f -> {
                assertThat(f.processor).isEqualTo("relay");
                assertThat(f.element.getNodeModel().getNodeHandler().getRootNode())
                    .isEqualTo(relay.getNodeModel().getNodeHandler().getRootNode());
            });
        }
    }

    @Test
    void jamesFlatteningLosesWhichDestinationHoldsWhichLevel() throws Exception {
        MailetConfigImpl config = flattened(parse(CONTAINER).configurationAt("processors.processor(1).mailet(1)"));
        assertThat(config.getInitParameter("destination[@domain]")).isEqualTo("x.example,y.example");
        assertThat(config.getInitParameter("destination.level")).isEqualTo("encrypt,secure");
        assertThat(config.getInitParameterNames()).toIterable()
            .contains("verification.trustAnchors", "default.level", "destination", "destination.level", "mail.smtp.localhost");
    }

    @Test
    void anIdenticalElementIsFoundTwice() throws Exception {
        String twice = CONTAINER.replace("</processor></processors>",
            "  <mailet match='All' class='" + RELAY + "'><default><level>verify</level></default>"
                + "<destination domain='x.example'><level>encrypt</level></destination>"
                + "<destination domain='y.example'><level>secure</level></destination></mailet></processor></processors>");
        XMLConfiguration container = parse(twice);
        assertThat(MailetElement.find(container, flattened(container.configurationAt("processors.processor(1).mailet(2)")))).hasSize(2);
    }

    @Test
    void anElementThatIsNotThereIsNotFound() throws Exception {
        XMLConfiguration container = parse(CONTAINER);
        XMLConfiguration other = parse("<mailet match='All' class='" + RELAY + "'><default><level>none</level></default></mailet>");
        assertThat(MailetElement.find(container, flattened(other))).isEmpty();
    }

    @Test
    void settingsAcceptInlineRulesAndNameThem() throws Exception {
        MailetConfigImpl config = flattened(parse(CONTAINER).configurationAt("processors.processor(1).mailet(1)"));
        RelaySettings.check(config);
        assertThat(RelaySettings.inlineRules(config)).containsExactly("verification", "default", "destination");
        MailetConfigImpl none = flattened(parse("<mailet class='" + RELAY + "'><policy>file://p.xml</policy></mailet>"));
        assertThat(RelaySettings.inlineRules(none)).isEmpty();
    }

    @Test
    void settingsRefuseAMisspeltRuleElement() throws Exception {
        MailetConfigImpl config = flattened(parse("<mailet class='" + RELAY + "'><defualt><level>may</level></defualt>"
            + "<destinations domain='a.example'><level>may</level></destinations></mailet>"));
        assertThat(catchThrowable(() -> RelaySettings.check(config))).isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("TLS Gate relay: unknown setting(s) <defualt>, <destinations>; the settings are <policy>")
            .hasMessageEndingWith("and the inline rules <verification>, <default>, <destination>, <accessFile>, <replyCodes>");
    }
}
