package io.tlsgate.config;

import java.io.StringReader;
import java.time.Clock;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;

import io.tlsgate.policy.PeerTable;
import io.tlsgate.policy.TlsRequirement;

/** The gate's {@code <handler>} element as James hands it over: an XMLConfiguration rooted at the element. */
final class HandlerXml {
    static final String HANDLER = "<handler class=\"io.tlsgate.smtp.InboundTlsGate\">";

    private HandlerXml() {
    }

    /** Reads rules written inside the handler element. */
    static PeerTable<TlsRequirement> read(String rules) throws PolicyConfigurationException {
        return InboundPolicyReader.read(parse(HANDLER + rules + "</handler>"));
    }

    /** Reads everything written inside the handler element, files named in it resolved by {@code files}. */
    static InboundPolicy read(String elements, FileResolver files, Clock clock) throws PolicyConfigurationException {
        return InboundPolicyReader.read(parse(HANDLER + elements + "</handler>"), files, clock);
    }

    /** Loads a whole element the way James does (no list splitting of values). */
    static XMLConfiguration parse(String xml) {
        XMLConfiguration configuration = new XMLConfiguration();
        configuration.setListDelimiterHandler(new DisabledListDelimiterHandler());
        try {
            new FileHandler(configuration).load(new StringReader(xml));
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("not well-formed: " + xml, e);
        }
        return configuration;
    }
}
