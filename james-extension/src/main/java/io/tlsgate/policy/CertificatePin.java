package io.tlsgate.policy;

import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A SHA-256 pin of a certificate or of its public key (SubjectPublicKeyInfo, which survives renewals with the
 * same key). Written in hex, with or without colons (as {@code openssl x509 -fingerprint -sha256} prints it),
 * or in base64 (as HPKP and DANE tools print SPKI pins).
 */
public final class CertificatePin {

    public enum Of {
        SPKI, CERTIFICATE;

        public String configName() {
            return this == SPKI ? "spki" : "certificate";
        }
    }

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final Of of;
    private final String sha256;

    private CertificatePin(Of of, String sha256) {
        this.of = of;
        this.sha256 = sha256;
    }

    /** @throws IllegalArgumentException when the text is not a SHA-256 digest in hex or base64 */
    public static CertificatePin parse(Of of, String text) {
        Objects.requireNonNull(of, "of");
        String trimmed = text.trim();
        String hex = trimmed.replace(":", "");
        if (HEX.matcher(hex).matches()) {
            return new CertificatePin(of, hex.toLowerCase(Locale.ROOT));
        }
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            digest = new byte[0];
        }
        if (digest.length != 32) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a SHA-256 digest: write 64 hex digits"
                + " (colons allowed) or 44 base64 characters");
        }
        StringBuilder out = new StringBuilder();
        for (byte b : digest) {
            out.append(String.format("%02x", b));
        }
        return new CertificatePin(of, out.toString());
    }

    public Of of() {
        return of;
    }

    /** Lower-case hex of the digest. */
    public String sha256() {
        return sha256;
    }

    public boolean matches(PeerCertificate certificate) {
        return sha256.equals(of == Of.SPKI ? certificate.spkiSha256() : certificate.sha256Fingerprint());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificatePin && ((CertificatePin) o).of == of && ((CertificatePin) o).sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(of, sha256);
    }

    @Override
    public String toString() {
        return of.configName() + ":sha256:" + sha256;
    }
}
