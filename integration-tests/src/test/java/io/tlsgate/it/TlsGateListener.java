package io.tlsgate.it;

/**
 * TLS Gate's own listener (conf/tlsgate-listeners.xml): STARTTLS, asking for a client certificate from the given
 * CAs, the gate first in its chain; and the extensions.properties line that starts such listeners.
 */
final class TlsGateListener {
    static final String EXTENSIONS = "guice.extension.startable=io.tlsgate.smtp.ClientCertificateListeners\n";

    private TlsGateListener() {
    }

    static String xml(String jmxName, String handlerBody, String advertisedCas) {
        return "<?xml version=\"1.0\"?>\n<smtpservers><smtpserver enabled=\"true\">"
            + "<jmxName>" + jmxName + "</jmxName><bind>127.0.0.1:0</bind>"
            + "<tls socketTLS=\"false\" startTLS=\"true\"><keystore>file://conf/tls/server.p12</keystore>"
            + "<keystoreType>PKCS12</keystoreType><secret>tlsgate-demo</secret>"
            + "<clientAuth><truststore>" + advertisedCas + "</truststore><truststoreType>PEM</truststoreType></clientAuth>"
            + "</tls>"
            + "<auth><announce>never</announce></auth><verifyIdentity>false</verifyIdentity>"
            + "<handlerchain><handler class=\"io.tlsgate.smtp.InboundTlsGate\">" + handlerBody + "</handler>"
            + "<handler class=\"org.apache.james.smtpserver.fastfail.ValidRcptHandler\"/>"
            + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/></handlerchain>"
            + "<gracefulShutdown>false</gracefulShutdown></smtpserver></smtpservers>\n";
    }
}
