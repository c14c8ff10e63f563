package io.tlsgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tlsgate.demo.DemoServer;
import io.tlsgate.demo.WebAdminAccess;
import io.tlsgate.demo.smtp.SmtpClient;

/**
 * The admin surface follows James's lifecycle: the MBean is registered when James starts and unregistered when it
 * stops, so James after James starts in one JVM; and without TLS Gate's module the gate works as before (its
 * registry a just-in-time singleton, still shared by the handlers and the routes), with no MBean.
 */
class AdminLifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName mbean() throws Exception {
        return new ObjectName("io.tlsgate:type=TlsGate");
    }

    @Test
    void theMBeanComesAndGoesWithEachJamesOfTheJvm() throws Exception {
        assertThat(JMX.isRegistered(mbean())).as("no James yet").isFalse();
        try (DemoServer first = SampleServer.start("AdminLifecycleIT-first")) {
            assertThat(JMX.isRegistered(mbean())).isTrue();
            assertThat((String[]) JMX.getAttribute(mbean(), "Policies")).hasSize(5);
        }
        assertThat(JMX.isRegistered(mbean())).as("unregistered when James stopped").isFalse();

        try (DemoServer second = SampleServer.start("AdminLifecycleIT-second")) {
            assertThat(JMX.isRegistered(mbean())).isTrue();
            String[] policies = (String[]) JMX.getAttribute(mbean(), "Policies");
            assertThat(policies[0]).as("the second James's policies, not the first's")
                .startsWith("smtpserver-mx (inbound) source=" + second.workingDirectory().resolve("conf/tlsgate-policy.xml"));
        }
        assertThat(JMX.isRegistered(mbean())).isFalse();
    }

    @Test
    void withoutTheModuleTheGateAndTheRoutesWorkWithNoMBean() throws Exception {
        try (DemoServer server = SampleServer.setup("AdminLifecycleIT-nomodule")
                .confFile("extensions.properties", "guice.extension.startable=io.tlsgate.smtp.ClientCertificateListeners\n").start()) {
            assertThat(JMX.isRegistered(mbean())).isFalse();
            try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.port("smtpserver-mx"))) {
                assertThat(client.readReply().code()).isEqualTo(220);
                assertThat(client.command("EHLO client.example.net").code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<a@example.net>").toString()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            }
            WebAdminAccess web = server.webAdmin().orElseThrow();
            JsonNode policies = JSON.readTree(web.get("/tlsgate/policies").body);
            assertThat(policies.findValuesAsText("name"))
                .containsExactly("smtpserver-mx", "smtpserver-submission", "smtpserver-partners", "tlsgate-mx", "outgoing-tlsgate");
            JsonNode refusals = JSON.readTree(web.get("/tlsgate/refusals").body);
            assertThat(refusals).hasSize(1);
            assertThat(refusals.get(0).get("reason").asText()).isEqualTo("tls-missing");
        }
    }
}
