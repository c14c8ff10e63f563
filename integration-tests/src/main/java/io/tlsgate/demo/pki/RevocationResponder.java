package io.tlsgate.demo.pki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The revocation services of test CAs on loopback HTTP: each registered CA publishes its current CRL at
 * {@code /crl/<name>.crl} and answers OCSP (RFC 6960, responses built and signed by Bouncy Castle) at
 * {@code /ocsp/<name>}, from the revocations the CA records.
 */
public final class RevocationResponder implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, CertificateAuthority> authorities = new ConcurrentHashMap<>();
    private final AtomicInteger ocspRequests = new AtomicInteger();

    private RevocationResponder(HttpServer server) {
        this.server = server;
    }

    public static RevocationResponder start() {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
        // every answer would take 40 ms on loopback, which no real responder does.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RevocationResponder responder = new RevocationResponder(server);
            server.createContext("/crl/", responder::crl);
            server.createContext("/ocsp/", responder::ocsp);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "revocation-responder");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return responder;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the revocation responder", e);
        }
    }

    /** Serves {@code ca}'s CRL and OCSP under {@code name}. */
    public void publish(String name, CertificateAuthority ca) {
        authorities.put(name, ca);
    }

    public URI crlUri(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/crl/" + name + ".crl");
    }

    public URI ocspUri(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp/" + name);
    }

    /** A URL nothing listens on: a responder that is down. */
    public static URI unreachable() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/ocsp/down");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int ocspRequests() {
        return ocspRequests.get();
    }

    private void crl(HttpExchange exchange) throws IOException {
        String file = exchange.getRequestURI().getPath().substring("/crl/".length());
        CertificateAuthority ca = file.endsWith(".crl") ? authorities.get(file.substring(0, file.length() - 4)) : null;
        if (ca == null) {
            respond(exchange, 404, "text/plain", "no such CRL".getBytes());
            return;
        }
        try {
            respond(exchange, 200, "application/pkix-crl", ca.crl().getEncoded());
        } catch (java.security.cert.CRLException e) {
            respond(exchange, 500, "text/plain", e.toString().getBytes());
        }
    }

    private void ocsp(HttpExchange exchange) throws IOException {
        ocspRequests.incrementAndGet();
        CertificateAuthority ca = authorities.get(exchange.getRequestURI().getPath().substring("/ocsp/".length()));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        try {
            if (ca == null) {
                respond(exchange, 200, "application/ocsp-response", new OCSPRespBuilder().build(OCSPRespBuilder.UNAUTHORIZED, null).getEncoded());
                return;
            }
            respond(exchange, 200, "application/ocsp-response", answer(ca, new OCSPReq(body)).getEncoded());
        } catch (Exception e) {
            respond(exchange, 500, "text/plain", e.toString().getBytes());
        }
    }

    private static OCSPResp answer(CertificateAuthority ca, OCSPReq request) throws Exception {
        X509CertificateHolder issuer = new JcaX509CertificateHolder(ca.certificate());
        BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(ca.certificate().getPublicKey(),
            new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1));
        Instant now = Instant.now();
        for (Req single : request.getRequestList()) {
            CertificateID id = single.getCertID();
            if (!id.matchesIssuer(issuer, new JcaDigestCalculatorProviderBuilder().build())) {
                return new OCSPRespBuilder().build(OCSPRespBuilder.UNAUTHORIZED, null);
            }
            CertificateAuthority.Revocation revocation = ca.revocation(id.getSerialNumber());
            CertificateStatus status = revocation == null ? CertificateStatus.GOOD
                : new RevokedStatus(Date.from(revocation.when), revocation.reason);
            builder.addResponse(id, status, Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofHours(1))), null);
        }
        BasicOCSPResp basic = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(ca.keyPair().getPrivate()),
            new X509CertificateHolder[] {issuer}, Date.from(now));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic);
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
