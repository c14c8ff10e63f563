package io.tlsgate.pki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * Fetches CRLs and OCSP responses over HTTP with a hard time box: a responder that is down or slow makes the
 * status unknown within the timeout instead of holding up the session.
 */
public class HttpFetcher {
    private static final int MAX_BYTES = 10 * 1024 * 1024;

    private final Duration timeout;

    public HttpFetcher(Duration timeout) {
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /** GET the URL; only http URLs are fetched (CRLs and OCSP responses are signed, TLS adds nothing). */
    public byte[] get(URI uri) throws IOException {
        return exchange(uri, null, null);
    }

    public byte[] post(URI uri, String contentType, byte[] body) throws IOException {
        return exchange(uri, contentType, body);
    }

    private byte[] exchange(URI uri, String contentType, byte[] body) throws IOException {
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("not an http URL: " + uri);
        }
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        int millis = (int) timeout.toMillis();
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        try {
            if (body != null) {
                connection.setRequestMethod("POST");
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", contentType);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP " + status + " from " + uri);
            }
            try (InputStream in = connection.getInputStream()) {
                byte[] data = in.readNBytes(MAX_BYTES + 1);
                if (data.length > MAX_BYTES) {
                    throw new IOException("response from " + uri + " is larger than " + MAX_BYTES + " bytes");
                }
                return data;
            }
        } finally {
            connection.disconnect();
        }
    }
}
