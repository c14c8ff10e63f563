package io.tlsgate.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

/**
 * The whole dialogue of one probe connection within a deadline. Timeouts bound each read, but a server that trickles
 * (a greeting line every few seconds) would hold a probe, and the WebAdmin request, for ever: at the deadline the
 * connection's socket is closed, which ends any read under way. It is javax.mail's socket factory for the plain
 * connection, so it holds that socket; the TLS socket STARTTLS makes is layered over it.
 */
final class ProbeCutoff extends SocketFactory implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "TlsGate-ProbeCutoff");
        t.setDaemon(true);
        return t;
    });

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> cutoff;
    private volatile boolean cut;

    ProbeCutoff(Duration deadline) {
        this.cutoff = TIMER.schedule(this::closeSockets, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the deadline passed before the dialogue ended. */
    boolean passed() {
        return cut;
    }

    private void closeSockets() {
        cut = true;
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing is all that is wanted.
            }
        }
    }

    @Override
    public void close() {
        cutoff.cancel(false);
    }

    private Socket remember(Socket socket) throws IOException {
        sockets.add(socket);
        if (cut) {
            socket.close();
        }
        return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
        return remember(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return remember(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return remember(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return remember(new Socket(address, port, localAddress, localPort));
    }
}
