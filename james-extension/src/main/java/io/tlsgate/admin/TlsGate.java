package io.tlsgate.admin;

import java.util.List;
import java.util.Map;

import org.apache.james.webadmin.utils.JsonTransformer;

import com.fasterxml.jackson.core.JsonProcessingException;

/** The MBean: the admin surface's views, as strings. */
final class TlsGate implements TlsGateMBean {
    private final TlsGateViews views;
    private final JsonTransformer json = new JsonTransformer();

    TlsGate(TlsGateViews views) {
        this.views = views;
    }

    @Override
    public String[] getPolicies() {
        return views.policies().stream()
            .map(p -> p.get("name") + " (" + p.get("direction") + ") source=" + p.get("source") + " loadedAt=" + p.get("loadedAt")
                + " ruleKeys=" + p.get("ruleKeys") + ": " + p.get("summary"))
            .toArray(String[]::new);
    }

    @Override
    public String[] getRecentRefusals() {
        return views.refusals(null).stream().map(TlsGate::line).toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> refusal) {
        Map<String, Object> peer = (Map<String, Object>) refusal.get("peer");
        StringBuilder line = new StringBuilder().append(refusal.get("time")).append(' ').append(refusal.get("direction")).append(' ')
            .append(refusal.get("where"));
        peer.forEach((k, v) -> {
            if (v != null) {
                line.append(' ').append(k).append('=').append(v);
            }
        });
        return line.append(" rule=\"").append(refusal.get("rule")).append("\" reason=").append(refusal.get("reason"))
            .append(" reply=\"").append(refusal.get("reply")).append(' ').append(refusal.get("enhancedStatus")).append(' ')
            .append(refusal.get("text")).append('"').toString();
    }

    @Override
    public String effectiveInbound(String address, String host, String helo, String listener) {
        try {
            return render(views.effectiveInbound(address, host, helo, listener));
        } catch (BadQuery e) {
            throw plain(e);
        }
    }

    @Override
    public String effectiveOutbound(String recipient, String domain, String mx, String mxAddress, String mailet) {
        try {
            return render(views.effectiveOutbound(recipient, domain, mx, mxAddress, mailet));
        } catch (BadQuery e) {
            throw plain(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public String[] reload() {
        List<Map<String, Object>> results = (List<Map<String, Object>>) views.reload().view().get("policies");
        return results.stream()
            .map(r -> r.get("name") + " (" + r.get("direction") + "): " + r.get("status")
                + (String.valueOf(r.get("message")).isEmpty() ? "" : ": " + r.get("message")))
            .toArray(String[]::new);
    }

    /** A JDK exception with the same message: a remote JMX client cannot load TLS Gate's own exception classes. */
    private static IllegalArgumentException plain(BadQuery e) {
        return new IllegalArgumentException(e.getMessage());
    }

    private String render(Object view) {
        try {
            return json.render(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the answer as JSON: " + e.getMessage(), e);
        }
    }
}
