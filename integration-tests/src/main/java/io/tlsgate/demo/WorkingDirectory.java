package io.tlsgate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A James working directory the demo owns: marked as such, locked while a server runs in it, and emptied only when
 * it is the demo's own and no other demo holds it. A mistyped {@code --work} never wipes someone's files, and a
 * second demo never pulls the PKI from under a running one.
 */
final class WorkingDirectory implements AutoCloseable {
    private static final String MARKER = ".tlsgate-demo-work";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private WorkingDirectory(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws IllegalStateException when the directory holds files but is not a demo working directory, or when
     *     another demo is running in it
     */
    static WorkingDirectory claim(Path directory) throws IOException {
        Path path = directory.toAbsolutePath().normalize();
        Path marker = path.resolve(MARKER);
        if (Files.isDirectory(path) && !Files.exists(marker) && !isEmpty(path)) {
            throw new IllegalStateException(path + " is not empty and is not a TLS Gate demo working directory: it is left"
                + " alone; choose another --work directory");
        }
        Files.createDirectories(path);
        FileChannel channel = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this very JVM
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("a TLS Gate demo is already running in " + path + ": stop it first, or use --work");
        }
        WorkingDirectory claimed = new WorkingDirectory(path, channel, lock);
        claimed.empty();
        return claimed;
    }

    Path path() {
        return path;
    }

    /** Removes everything but the marker. */
    private void empty() throws IOException {
        try (Stream<Path> entries = Files.list(path)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (!entry.getFileName().toString().equals(MARKER)) {
                    deleteRecursively(entry);
                }
            }
        }
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Released with the process anyway.
        }
    }
}
