package io.tlsgate.it;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.utils.ClassName;
import org.apache.james.utils.GuiceGenericLoader;
import org.apache.james.utils.GuiceProbe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs TLS Gate's remote-MTA probe inside a running James: the probe is made by James's Guice from the extension jar
 * (as James makes the admin routes), the outbound policy is read from a policy file with James's FileSystem (as the
 * relay reads it), and the report comes back as the JSON Jackson writes of it. The extension's classes live only in
 * James's extension class loader (the tests' class path leaves the jar out), hence the reflection.
 */
public class RemoteMtaProbes implements GuiceProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GuiceGenericLoader loader;
    private final FileSystem files;
    private final DNSService dns;
    private final DomainList domains;

    @Inject
    public RemoteMtaProbes(GuiceGenericLoader loader, FileSystem files, DNSService dns, DomainList domains) {
        this.loader = loader;
        this.files = files;
        this.dns = dns;
        this.domains = domains;
    }

    /**
     * Probes with the probe James's Guice makes (default timeouts and cap).
     *
     * @param policy a policy file with an {@code <outbound>} section, e.g. "file://conf/tlsgate-probe.xml"
     * @param domain, host, port, recipient the request's parameters, null when absent
     * @throws IllegalArgumentException when the target is invalid (the probe's own message)
     */
    public JsonNode probe(String policy, String domain, String host, String port, String recipient) throws Exception {
        Object probe = loader.instantiate(new ClassName("io.tlsgate.delivery.RemoteMtaProbe"));
        return run(probe, policy, domain, host, port, recipient);
    }

    /** Probes with a probe of these timeouts and cap, made with James's DNS and domains. */
    public JsonNode probe(Duration timeout, int maxHosts, String policy, String domain, String host, String port, String recipient)
            throws Exception {
        Class<?> type = extensionClass("io.tlsgate.delivery.RemoteMtaProbe");
        Object probe;
        try {
            probe = type.getConstructor(DNSService.class, DomainList.class, Duration.class, int.class)
                .newInstance(dns, domains, timeout, maxHosts);
        } catch (InvocationTargetException e) {
            throw unwrapped(e);
        }
        return run(probe, policy, domain, host, port, recipient);
    }

    private Class<?> extensionClass(String name) throws Exception {
        Object any = loader.instantiate(new ClassName("io.tlsgate.delivery.RemoteMtaProbe"));
        return Class.forName(name, true, any.getClass().getClassLoader());
    }

    private JsonNode run(Object probe, String policy, String domain, String host, String port, String recipient) throws Exception {
        ClassLoader extension = probe.getClass().getClassLoader();
        Object target;
        try {
            target = Class.forName("io.tlsgate.delivery.ProbeTarget", true, extension)
                .getMethod("of", String.class, String.class, String.class, String.class)
                .invoke(null, domain, host, port, recipient);
        } catch (InvocationTargetException e) {
            throw unwrapped(e);
        }
        Object outbound = readPolicy(extension, policy);
        Object report = probe.getClass().getMethod("probe", target.getClass(), outbound.getClass()).invoke(probe, target, outbound);
        return JSON.readTree(JSON.writeValueAsString(report));
    }

    /** PolicyFile.readOutbound, with a FileResolver that asks James's FileSystem, as the relay's does. */
    private Object readPolicy(ClassLoader extension, String location) throws Exception {
        Class<?> resolverType = Class.forName("io.tlsgate.config.FileResolver", true, extension);
        Object resolver = Proxy.newProxyInstance(extension, new Class<?>[] {resolverType}, (proxy, method, args) -> {
            if (method.getName().equals("resolve")) {
                return files.getFile((String) args[0]).toPath();
            }
            throw new UnsupportedOperationException(method.getName());
        });
        File file = files.getFile(location);
        Object loaded = Class.forName("io.tlsgate.config.PolicyFile", true, extension)
            .getMethod("readOutbound", Path.class, resolverType, Clock.class)
            .invoke(null, file.toPath(), resolver, Clock.systemUTC());
        return loaded.getClass().getMethod("policy").invoke(loaded);
    }

    /** The extension's own IllegalArgumentException (bad input, bad settings) as it threw it. */
    private static Exception unwrapped(InvocationTargetException e) {
        return e.getCause() instanceof IllegalArgumentException ? (IllegalArgumentException) e.getCause() : e;
    }
}
