package io.tlsgate.pki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback that serves CRLs (GET) and answers OCSP requests (POST) per path, and counts the
 * requests each path received. What a path serves can be changed between steps of a test.
 */
final class RevocationServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private interface Route {
        /** The status and body for a request body. */
        Object[] answer(byte[] request);
    }

    private RevocationServer(HttpServer server) {
        this.server = server;
    }

    static RevocationServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            RevocationServer revocations = new RevocationServer(server);
            server.createContext("/", revocations::handle);
            server.start();
            return revocations;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL of a path on this server, as a certificate would name it. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    URI uri(String path) {
        return URI.create(url(path));
    }

    /** Serves this CRL (DER) at the path. */
    void crl(String path, X509CRL crl) {
        byte[] der;
        try {
            der = crl.getEncoded();
        } catch (CRLException e) {
            throw new IllegalStateException(e);
        }
        routes.put(path, request -> new Object[] {200, der});
    }

    /** Answers OCSP requests at the path. */
    void ocsp(String path, TestRevocations.OcspAnswer answer) {
        routes.put(path, request -> new Object[] {200, answer.respond(request)});
    }

    /** Answers any request at the path with this body. */
    void raw(String path, UnaryOperator<byte[]> answer) {
        routes.put(path, request -> new Object[] {200, answer.apply(request)});
    }

    /** How many requests the path received. */
    int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        byte[] request;
        try (InputStream in = exchange.getRequestBody()) {
            request = in.readAllBytes();
        }
        Route route = routes.get(path);
        Object[] answer = route == null ? new Object[] {404, new byte[0]} : route.answer(request);
        byte[] body = (byte[]) answer[1];
        exchange.sendResponseHeaders((Integer) answer[0], body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A loopback port on which nothing listens (it was free a moment ago): connections are refused. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
