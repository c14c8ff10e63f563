package io.tlsgate.it;

import java.util.ArrayList;
import java.util.List;

import io.tlsgate.demo.DemoDns;
import io.tlsgate.demo.peer.SmtpPeer;

/** The SMTP peers of a relay test, made the MX of their domains in the test's DNS, and closed together. */
final class PeerSet implements AutoCloseable {
    private final DemoDns dns;
    private final List<SmtpPeer> peers = new ArrayList<>();

    PeerSet(DemoDns dns) {
        this.dns = dns;
    }

    /** Starts a peer that no domain names as its MX (a gateway, or one the test puts in DNS itself). */
    SmtpPeer started(SmtpPeer.Builder builder) {
        SmtpPeer peer = builder.start();
        peers.add(peer);
        return peer;
    }

    /** Starts a peer as the only MX of {@code domain}, named mx.{@code domain}, on 127.0.0.1. */
    SmtpPeer mx(String domain, SmtpPeer.Builder builder) {
        SmtpPeer peer = started(builder);
        dns.mx(domain, "mx." + domain + ":" + peer.port()).a("mx." + domain, "127.0.0.1");
        return peer;
    }

    List<SmtpPeer> all() {
        return List.copyOf(peers);
    }

    @Override
    public void close() {
        peers.forEach(SmtpPeer::close);
    }
}
