package io.tlsgate.admin;

import java.lang.management.ManagementFactory;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link TlsGateMBean} on the platform MBeanServer (which James's JMX connector exports) when James
 * starts, and unregisters it when James stops. TLS Gate's module creates this eagerly, with James's extension
 * injector; James's stop runs its {@code @PreDestroy} stage (onami's PreDestroyModule listens to every object Guice
 * constructs, in child injectors too), which calls {@link #unregister()}.
 */
@Singleton
public final class TlsGateJmx {
    public static final String NAME = "io.tlsgate:type=TlsGate";
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsGateJmx.class);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName name;
    private final StandardMBean bean;

    @Inject
    public TlsGateJmx(TlsGateViews views) {
        try {
            this.name = new ObjectName(NAME);
            String description = "TLS Gate administration (instance " + Integer.toHexString(System.identityHashCode(this)) + "-"
                + System.nanoTime() + ")";
            this.bean = new StandardMBean(new TlsGate(views), TlsGateMBean.class) {
                @Override
                protected String getDescription(javax.management.MBeanInfo info) {
                    return description;
                }
            };
        } catch (MalformedObjectNameException | javax.management.NotCompliantMBeanException e) {
            throw new IllegalStateException(e);
        }
        register();
    }

    private void register() {
        try {
            server.registerMBean(bean, name);
        } catch (InstanceAlreadyExistsException e) {
            // A James in this JVM that never stopped left its MBean: the running James is the one to administer.
            LOGGER.warn("TLS Gate: {} was already registered (a James that did not stop?); replacing it", NAME);
            try {
                server.unregisterMBean(name);
                server.registerMBean(bean, name);
            } catch (JMException again) {
                LOGGER.error("TLS Gate: cannot register {}", NAME, again);
            }
        } catch (JMException e) {
            LOGGER.error("TLS Gate: cannot register {}", NAME, e);
        }
    }

    /** Unregisters the MBean if it is still this one's. */
    @PreDestroy
    public void unregister() {
        try {
            if (server.isRegistered(name) && isOurs()) {
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // Already gone.
        } catch (JMException e) {
            LOGGER.warn("TLS Gate: cannot unregister {}", NAME, e);
        }
    }

    private boolean isOurs() {
        try {
            // Another James in this JVM may have replaced it: its description names another instance.
            return server.getMBeanInfo(name).getDescription().equals(bean.getMBeanInfo().getDescription());
        } catch (JMException e) {
            return false;
        }
    }
}
