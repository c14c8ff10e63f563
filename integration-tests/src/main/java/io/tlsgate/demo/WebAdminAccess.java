package io.tlsgate.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Properties;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;

/**
 * The demo's way into James's WebAdmin, which James 3.8.1 authenticates with JWT only: at each start a fresh RSA key
 * pair, whose public half is written where {@code webadmin.properties} names it ({@code jwt.publickeypem.url}); the
 * private half stays in memory and signs an admin token. Nothing secret is written to disk or shipped.
 */
public final class WebAdminAccess {
    private static final String FILE_PREFIX = "file://";

    private final PrivateKey signingKey;
    private int port;

    private WebAdminAccess(PrivateKey signingKey) {
        this.signingKey = signingKey;
    }

    /**
     * When conf/webadmin.properties enables WebAdmin with JWT, writes a fresh public key where it says and lets James
     * pick a free port; otherwise nothing (null).
     */
    static WebAdminAccess prepare(Path conf) throws Exception {
        Path file = conf.resolve("webadmin.properties");
        if (!Files.exists(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(in);
        }
        if (!Boolean.parseBoolean(properties.getProperty("enabled", "false").trim())) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.ISO_8859_1).replaceAll("(?m)^port=.*$", "port=0");
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String url = properties.getProperty("jwt.publickeypem.url");
        if (url != null && url.trim().startsWith(FILE_PREFIX)) {
            Path publicKey = conf.getParent().resolve(url.trim().substring(FILE_PREFIX.length()));
            Files.createDirectories(publicKey.getParent());
            Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n", StandardCharsets.US_ASCII);
        }
        return new WebAdminAccess(pair.getPrivate());
    }

    void port(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A token WebAdmin accepts: subject {@code admin@demo.test}, claim admin=true, valid one hour. */
    public String adminToken() {
        return Jwts.builder().setSubject("admin@" + DemoServer.DOMAIN).claim("admin", true)
            .setExpiration(Date.from(Instant.now().plus(Duration.ofHours(1))))
            .signWith(signingKey, SignatureAlgorithm.RS256).compact();
    }

    /** An HTTP answer: status and body. */
    public static final class Answer {
        public final int status;
        public final String body;

        Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** GET with the admin token. */
    public Answer get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, true);
    }

    /** POST (empty body) with the admin token. */
    public Answer post(String pathAndQuery) throws IOException, InterruptedException {
        return send("POST", pathAndQuery, true);
    }

    /** A request with or without the admin token. */
    public Answer send(String method, String pathAndQuery, boolean authenticated) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(60))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (authenticated) {
            request.header("Authorization", "Bearer " + adminToken());
        }
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
            .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(response.statusCode(), response.body());
    }
}
