package io.tlsgate.smtp;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * Which TLS sessions came through a listener that asks for, but does not verify, client certificates. The gate
 * must never take a certificate from such a session as verified by the TLS layer. Sessions are recognised by
 * their session context, which belongs to the listener's SSLContext, so resumed sessions are recognised too.
 */
final class AskingListeners {
    private static final Set<SSLSessionContext> CONTEXTS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private AskingListeners() {
    }

    static void register(SSLContext context) {
        CONTEXTS.add(context.getServerSessionContext());
    }

    static boolean asked(SSLSession session) {
        SSLSessionContext context = session.getSessionContext();
        return context != null && CONTEXTS.contains(context);
    }
}
