package io.tlsgate.it;

/**
 * smtpserver.xml listeners (the sample's keystore, STARTTLS) whose chain starts with the gate, for tests of gate
 * configurations the conf-samples do not show.
 */
final class GateListener {
    private GateListener() {
    }

    /** A whole smtpserver.xml with one listener without client authentication. */
    static String xml(String jmxName, String handlerBody) {
        return servers(listener(jmxName, handlerBody, false));
    }

    static String servers(String... listeners) {
        return "<?xml version=\"1.0\"?>\n<smtpservers>" + String.join("", listeners) + "</smtpservers>\n";
    }

    /** A listener without any TLS. */
    static String plainListener(String jmxName, String handlerBody) {
        return listener(jmxName, handlerBody, false).replaceFirst("<tls .*</tls>", "");
    }

    /** One listener; with {@code clientAuth}, James requires a client certificate from the demo CA. */
    static String listener(String jmxName, String handlerBody, boolean clientAuth) {
        return "<smtpserver enabled=\"true\">"
            + "<jmxName>" + jmxName + "</jmxName><bind>127.0.0.1:0</bind>"
            + "<tls socketTLS=\"false\" startTLS=\"true\"><keystore>file://conf/tls/server.p12</keystore>"
            + "<keystoreType>PKCS12</keystoreType><secret>tlsgate-demo</secret>"
            + (clientAuth ? "<clientAuth><truststore>file://conf/tls/client-ca.p12</truststore>"
                + "<truststoreSecret>tlsgate-demo</truststoreSecret></clientAuth>" : "")
            + "</tls>"
            + "<auth><announce>never</announce></auth><verifyIdentity>false</verifyIdentity>"
            + "<handlerchain><handler class=\"io.tlsgate.smtp.InboundTlsGate\">" + handlerBody + "</handler>"
            + "<handler class=\"org.apache.james.smtpserver.fastfail.ValidRcptHandler\"/>"
            + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/></handlerchain>"
            + "<gracefulShutdown>false</gracefulShutdown></smtpserver>";
    }
}
