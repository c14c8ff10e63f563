package io.tlsgate.admin;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.config.PolicyRegistry;

/**
 * TLS Gate's Guice module, listed in James's {@code conf/extensions.properties}:
 * {@code guice.extension.module=io.tlsgate.admin.TlsGateModule}.
 *
 * <p>James 3.8.1 builds one child injector from the extension modules ({@code GuiceGenericLoader}) and creates every
 * handler, mailet, startable and WebAdmin route through it, so the singletons bound here are shared by the inbound
 * gate of every listener, the relay mailets and the admin surface. The metrics, the refusal log and the MBean are
 * eager: they hear every decision from James's start, and the MBean is registered then (and unregistered when James
 * stops). Without this module the gate and the relay work as before, with no admin surface.
 */
public class TlsGateModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DecisionFeed.class).in(Scopes.SINGLETON);
        bind(PolicyRegistry.class).in(Scopes.SINGLETON);
        bind(RefusalLog.class).asEagerSingleton();
        bind(TlsGateMetrics.class).asEagerSingleton();
        bind(TlsGateViews.class).in(Scopes.SINGLETON);
        bind(TlsGateJmx.class).asEagerSingleton();
    }
}
