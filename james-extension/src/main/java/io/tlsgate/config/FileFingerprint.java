package io.tlsgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The SHA-256 of a file's content, as the reloader compares it (an absent or unreadable file has a marker instead). */
public final class FileFingerprint {
    public static final String ABSENT = "absent";

    private FileFingerprint() {
    }

    public static String of(byte[] content) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : MessageDigest.getInstance("SHA-256").digest(content)) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The file's current fingerprint. The content is always hashed: an edit that keeps the size ("temporary" to
     * "permanent") within the file system's timestamp granularity would otherwise go unnoticed.
     */
    public static String of(Path file) {
        try {
            return of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return ABSENT;
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
