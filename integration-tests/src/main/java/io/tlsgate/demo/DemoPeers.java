package io.tlsgate.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tlsgate.demo.peer.Session;
import io.tlsgate.demo.peer.SmtpPeer;
import io.tlsgate.demo.pki.CertificateAuthority;
import io.tlsgate.demo.pki.DemoPki;
import io.tlsgate.demo.pki.IssuedCertificate;

/**
 * The outbound side of the demo: local TLS SMTP peers that James relays to, each the only MX of a made-up domain
 * in the demo's DNS (the MX record carries the peer's port). Which rule of conf/tlsgate-outbound.xml each domain
 * meets is the point of the peer:
 * <ul>
 *   <li>{@value #GOOD}: a certificate from the demo CA naming its MX: the default rule passes, the mail is delivered;</li>
 *   <li>{@value #UNTRUSTED}: a certificate from a CA James does not trust: temporary refusal, the mail stays queued;</li>
 *   <li>{@value #PLAINTEXT}: no STARTTLS at all: temporary refusal, QUIT in plaintext;</li>
 *   <li>{@value #PERMANENT}: as untrusted, under the sample's permanent rule: the mail bounces at once;</li>
 *   <li>{@value #SENDMAIL}: a certificate from the demo CA naming its MX, under the entries of conf/sendmail-access
 *   (a Sendmail access file): {@code Try_TLS} NO, so it gets the mail in plaintext although it offers STARTTLS.
 *   (The access file's {@code TLS_Rcpt} entries are for two recipients of {@value #GOOD}.)</li>
 * </ul>
 */
public final class DemoPeers implements AutoCloseable {
    public static final String GOOD = "peer.demo.test";
    public static final String UNTRUSTED = "untrusted.peer.demo.test";
    public static final String PLAINTEXT = "plain.peer.demo.test";
    public static final String PERMANENT = "perm.peer.demo.test";
    public static final String SENDMAIL = "sendmail.peer.demo.test";

    private final Map<String, SmtpPeer> peers;
    private ScheduledExecutorService watcher;

    private DemoPeers(Map<String, SmtpPeer> peers) {
        this.peers = peers;
    }

    /** Starts the peers on free loopback ports and publishes their MX and A records in {@code dns}. */
    public static DemoPeers start(DemoPki pki, DemoDns dns) {
        CertificateAuthority foreign = CertificateAuthority.create("CN=Unknown Relay CA,O=Elsewhere");
        Map<String, SmtpPeer> peers = new LinkedHashMap<>();
        try {
            peers.put(GOOD, SmtpPeer.builder().certificate(server(pki.ca(), mx(GOOD))).start());
            peers.put(UNTRUSTED, SmtpPeer.builder().certificate(server(foreign, mx(UNTRUSTED))).start());
            peers.put(PLAINTEXT, SmtpPeer.builder().advertiseStartTls(false).start());
            peers.put(PERMANENT, SmtpPeer.builder().certificate(server(foreign, mx(PERMANENT))).start());
            peers.put(SENDMAIL, SmtpPeer.builder().certificate(server(pki.ca(), mx(SENDMAIL))).start());
        } catch (RuntimeException e) {
            peers.values().forEach(SmtpPeer::close);
            throw e;
        }
        peers.forEach((domain, peer) -> dns.mx(domain, mx(domain) + ":" + peer.port()).a(mx(domain), "127.0.0.1"));
        return new DemoPeers(peers);
    }

    private static IssuedCertificate server(CertificateAuthority ca, String name) {
        return ca.issueServer(name, List.of(name), List.of());
    }

    /** The MX host of a demo domain. */
    public static String mx(String domain) {
        return "mx." + domain;
    }

    public SmtpPeer peer(String domain) {
        SmtpPeer peer = peers.get(domain);
        if (peer == null) {
            throw new IllegalArgumentException("no demo peer for " + domain + " (have " + peers.keySet() + ")");
        }
        return peer;
    }

    /** Domain to port, in the order above. */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        peers.forEach((domain, peer) -> ports.put(domain, peer.port()));
        return ports;
    }

    /** Prints each peer session once it has ended: what the relay said, so QUIT before MAIL FROM can be seen. */
    public void printSessions(PrintStream out) {
        Set<String> printed = ConcurrentHashMap.newKeySet();
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tlsgate-demo-peers");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(() -> peers.forEach((domain, peer) -> {
            for (Session session : peer.sessions()) {
                if (session.ended() && printed.add(domain + "#" + session.id())) {
                    out.println("peer " + mx(domain) + ":" + peer.port() + " session " + session.id() + ": "
                        + String.join(" | ", abbreviated(session.transcript())));
                }
            }
        }), 200, 200, TimeUnit.MILLISECONDS);
    }

    private static List<String> abbreviated(List<String> transcript) {
        List<String> lines = new ArrayList<>();
        for (String line : transcript) {
            lines.add(line.length() > 80 ? line.substring(0, 77) + "..." : line);
        }
        return lines;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        peers.values().forEach(SmtpPeer::close);
    }
}
