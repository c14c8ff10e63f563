package io.tlsgate.bench.inbound;

import io.tlsgate.demo.pki.DemoPki;

/**
 * James's configuration for the inbound benchmark: three STARTTLS listeners, identical but for who checks the client
 * certificate (see {@link Listener}), and a mailet container that puts each listener's mail into its own repository.
 */
final class BenchConfiguration {
    private static final String RULE = ""
        + "                <default>\n"
        + "                    <level>verify</level>\n"
        + "                    <minCipherBits>128</minCipherBits>\n"
        + "                    <minProtocol>TLSv1.2</minProtocol>\n"
        + "                    <dnsName match=\"glob\">*.partners.demo.test</dnsName>\n"
        + "                    <issuerDn>" + DemoPki.CA_NAME + "</issuerDn>\n"
        + "                    <failure>permanent</failure>\n"
        + "                </default>\n";

    private static String listener(String jmxName, String clientAuth, String gate) {
        return ""
            + "    <smtpserver enabled=\"true\">\n"
            + "        <jmxName>" + jmxName + "</jmxName>\n"
            + "        <bind>0.0.0.0:25</bind>\n"
            + "        <connectionBacklog>200</connectionBacklog>\n"
            + "        <tls socketTLS=\"false\" startTLS=\"true\">\n"
            + "            <keystore>file://conf/tls/server.p12</keystore>\n"
            + "            <keystoreType>PKCS12</keystoreType>\n"
            + "            <secret>tlsgate-demo</secret>\n"
            + clientAuth
            + "        </tls>\n"
            + "        <connectiontimeout>360</connectiontimeout>\n"
            + "        <connectionLimit>0</connectionLimit>\n"
            + "        <connectionLimitPerIP>0</connectionLimitPerIP>\n"
            + "        <auth><announce>never</announce><requireSSL>true</requireSSL></auth>\n"
            + "        <verifyIdentity>false</verifyIdentity>\n"
            + "        <maxmessagesize>0</maxmessagesize>\n"
            + "        <addressBracketsEnforcement>true</addressBracketsEnforcement>\n"
            + "        <smtpGreeting>inbound benchmark " + jmxName + "</smtpGreeting>\n"
            + "        <handlerchain>\n"
            + gate
            + "            <handler class=\"org.apache.james.smtpserver.fastfail.ValidRcptHandler\"/>\n"
            + "            <handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>\n"
            + "        </handlerchain>\n"
            + "        <gracefulShutdown>false</gracefulShutdown>\n"
            + "    </smtpserver>\n";
    }

    private static final String JAMES_CLIENT_AUTH = ""
        + "            <clientAuth>\n"
        + "                <truststore>file://conf/tls/client-ca.p12</truststore>\n"
        + "                <truststoreType>PKCS12</truststoreType>\n"
        + "                <truststoreSecret>tlsgate-demo</truststoreSecret>\n"
        + "            </clientAuth>\n";

    static final String SMTPSERVER_XML = "<?xml version=\"1.0\"?>\n<smtpservers>\n"
        + listener(Listener.STOCK.jmxName, JAMES_CLIENT_AUTH, "")
        + listener(Listener.GATE.jmxName, JAMES_CLIENT_AUTH,
            "            <handler class=\"io.tlsgate.smtp.InboundTlsGate\">\n" + RULE + "            </handler>\n")
        + "</smtpservers>\n";

    static final String LISTENERS_XML = "<?xml version=\"1.0\"?>\n<smtpservers>\n"
        + listener(Listener.ASKING.jmxName, ""
                + "            <clientAuth>\n"
                + "                <truststore>file://conf/tls/ca.crt</truststore>\n"
                + "                <truststoreType>pem</truststoreType>\n"
                + "            </clientAuth>\n",
            "            <handler class=\"io.tlsgate.smtp.InboundTlsGate\">\n"
                + "                <verification>\n"
                + "                    <trustAnchors>file://conf/tls/ca.crt</trustAnchors>\n"
                + "                    <crl>file://conf/tls/ca.crl</crl>\n"
                + "                </verification>\n"
                + RULE + "            </handler>\n")
        + "</smtpservers>\n";

    static final String MAILETS_XML;

    static {
        StringBuilder root = new StringBuilder();
        for (Listener listener : Listener.values()) {
            root.append("            <mailet match=\"RecipientIs=").append(listener.recipient()).append("\" class=\"ToRepository\">")
                .append("<repositoryPath>").append(listener.repository().asString()).append("</repositoryPath></mailet>\n");
        }
        MAILETS_XML = "<?xml version=\"1.0\"?>\n"
            + "<mailetcontainer enableJmx=\"true\">\n"
            + "    <context><postmaster>postmaster@demo.test</postmaster></context>\n"
            + "    <spooler><threads>4</threads><errorRepository>memory://var/mail/error/</errorRepository></spooler>\n"
            + "    <processors>\n"
            + "        <processor state=\"root\" enableJmx=\"true\">\n"
            + "            <mailet match=\"All\" class=\"ToProcessor\"><processor>transport</processor></mailet>\n"
            + "        </processor>\n"
            + "        <processor state=\"transport\" enableJmx=\"true\">\n"
            + "            <mailet match=\"All\" class=\"RemoveMimeHeader\"><name>bcc</name></mailet>\n"
            + root
            + "            <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/unexpected/</repositoryPath></mailet>\n"
            + "        </processor>\n"
            + "        <processor state=\"error\" enableJmx=\"true\">\n"
            + "            <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/error/</repositoryPath></mailet>\n"
            + "        </processor>\n"
            + "    </processors>\n"
            + "</mailetcontainer>\n";
    }

    private BenchConfiguration() {
    }
}
