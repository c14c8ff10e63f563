package io.tlsgate.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.tlsgate.demo.pki.IssuedCertificate;
import io.tlsgate.demo.smtp.Reply;
import io.tlsgate.demo.smtp.SmtpClient;

/**
 * A real Postfix (the Debian package, installed by .ci/run) run from its own configuration directory (the caller's;
 * Postfix's socket paths must fit in 108 bytes, so a short one under /tmp): its own main.cf/master.cf, queue, data
 * directory and mail log; nothing of the system's Postfix is used or started. An instance sends, receives, or both.
 *
 * <p><b>Sending.</b> Mail is injected by SMTP into the instance's own smtpd on a free high loopback port (plain SMTP,
 * from loopback, which {@code mynetworks} lets relay). Everything is relayed to one {@code relayhost} over TLS at level
 * {@code verify}. Each {@link Builder#client client} is an smtp(8) transport of its own in master.cf with its own source
 * address and its own client certificate (or none); the envelope sender picks the transport
 * ({@code sender_dependent_default_transport_maps}). Bounces go back to the sender's domain, which is discarded
 * locally so that nothing loops back to the relayhost.
 *
 * <p><b>Receiving.</b> Each {@link Builder#receiver receiver} is an smtpd(8) of its own in master.cf: its own free high
 * loopback port, its own host name (greeting and Received header), STARTTLS with its own server certificate, and its
 * own syslog name ({@code postfix/NAME/smtpd}), so that the mail log tells the receivers' sessions apart. Each
 * {@link Builder#mailbox mailbox} address is accepted (and no other address of its domain) and delivered by
 * virtual(8) into a Maildir of its own, which {@link #messages} reads.
 *
 * <p>The master daemon runs in the foreground ({@code postfix start-fg}) under a tiny Perl wrapper that makes itself
 * the child subreaper: Postfix's daemons, orphaned when the master exits, are reaped by the wrapper, and the wrapper
 * exits only when the last of them has. {@link #close()} therefore knows when every Postfix process is gone.
 *
 * <p>Postfix's master must run as root; the tests fail (they do not skip) when Postfix, Perl or root are missing.
 */
final class PostfixPeer implements AutoCloseable {
    /** The domain of the envelope senders; Postfix discards what is addressed to it (its own bounces). */
    static final String DOMAIN = "postfix.peer.test";

    private static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    private static final Path POSTQUEUE = Path.of("/usr/sbin/postqueue");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");
    private static final Pattern QUEUED = Pattern.compile("queued as ([0-9A-Za-z]+)");

    /**
     * Runs {@code postfix -c DIR start-fg} (DIR is its one argument) as the child subreaper (prctl
     * PR_SET_CHILD_SUBREAPER), so that Postfix's daemons, orphaned when the master exits, are reaped here; exits with
     * the master's status once no descendant is left. When the JVM that started it is gone (its parent changed, even
     * after a kill -9) or on SIGTERM, it runs {@code postfix -c DIR stop} itself.
     */
    private static final String REAPER = String.join("\n",
        "use strict; use warnings; use POSIX ();",
        "my $conf = shift @ARGV; my $parent = getppid();",
        "my %fallback = (x86_64 => 157, aarch64 => 167);",
        "my $nr = eval { require 'syscall.ph'; &SYS_prctl() } // $fallback{(POSIX::uname())[4]};",
        "defined $nr && syscall($nr, 36, 1, 0, 0, 0) == 0 or warn \"postfix-peer: no child subreaper ($!)\\n\";",
        "my $child = fork() // die \"fork: $!\\n\";",
        "if ($child == 0) { exec '" + POSTFIX + "', '-c', $conf, 'start-fg' or die \"exec: $!\\n\"; }",
        "my ($stopping, $terminated, $status) = (0, 0, 0);",
        "$SIG{TERM} = sub { $terminated = 1 };",
        "while (1) {",
        "  my $pid = waitpid(-1, POSIX::WNOHANG());",
        "  if ($pid > 0) { $status = $? if $pid == $child; next; }",
        "  last if $pid < 0;",
        "  if (!$stopping && ($terminated || getppid() != $parent)) { $stopping = 1; system('" + POSTFIX + "', '-c', $conf, 'stop'); }",
        "  select(undef, undef, undef, 0.2);",
        "}",
        "exit($status & 127 ? 128 + ($status & 127) : $status >> 8);",
        "");

    /** One sending identity: an smtp(8) transport with its own source address and client certificate. */
    static final class Client {
        final String name;
        final String bindAddress;
        final IssuedCertificate certificate;

        private Client(String name, String bindAddress, IssuedCertificate certificate) {
            this.name = name;
            this.bindAddress = bindAddress;
            this.certificate = certificate;
        }

        /** The envelope sender that routes mail through this client's transport. */
        String sender() {
            return name + "@" + DOMAIN;
        }
    }

    /** One receiving smtpd: its own port, host name, server certificate and syslog name. */
    static final class Receiver {
        final String name;
        final String hostname;
        final IssuedCertificate certificate;

        private Receiver(String name, String hostname, IssuedCertificate certificate) {
            this.name = name;
            this.hostname = hostname;
            this.certificate = certificate;
        }

        /** The prefix of this receiver's mail log lines, e.g. {@code postfix/good/smtpd[}. */
        String logPrefix() {
            return "postfix/" + name + "/smtpd[";
        }
    }

    /** The configuration of one instance. */
    static final class Builder {
        private final Path directory;
        private String relayhost;
        private Path serverCa;
        private String serverName;
        private final Map<String, Client> clients = new LinkedHashMap<>();
        private final Map<String, Receiver> receivers = new LinkedHashMap<>();
        private final List<String> mailboxes = new ArrayList<>();

        private Builder(Path directory) {
            this.directory = directory.toAbsolutePath();
        }

        /** Where all mail goes, e.g. {@code [127.0.0.1]:2525}. */
        Builder relayhost(String relayhost) {
            this.relayhost = relayhost;
            return this;
        }

        /** TLS level verify: the relayhost's certificate must chain to {@code caPem} and name {@code name}. */
        Builder verifyServer(Path caPem, String name) {
            this.serverCa = caPem;
            this.serverName = name;
            return this;
        }

        /**
         * A transport named {@code name} (letters, digits, '-') that connects from {@code bindAddress} and presents
         * {@code certificate} (its whole chain), or no certificate when null. Mail from {@code name@postfix.peer.test}
         * takes it.
         */
        Builder client(String name, String bindAddress, IssuedCertificate certificate) {
            if (!name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("transport name " + name);
            }
            clients.put(name, new Client(name, bindAddress, certificate));
            return this;
        }

        /**
         * An smtpd named {@code name} (letters, digits, '-') on a free loopback port of its own, greeting as {@code
         * hostname} and offering STARTTLS with {@code certificate} (its whole chain). It logs as {@code
         * postfix/NAME/smtpd}, with TLS log level 1 (the protocol and cipher of each handshake) and TLS details in
         * the Received header.
         */
        Builder receiver(String name, String hostname, IssuedCertificate certificate) {
            if (!name.matches("[a-z0-9-]+") || receivers.containsKey(name) || clients.containsKey(name)) {
                throw new IllegalArgumentException("receiver name " + name);
            }
            receivers.put(name, new Receiver(name, hostname, certificate));
            return this;
        }

        /**
         * Mail for {@code address} is accepted by every receiver and delivered into a Maildir of its own; its domain
         * becomes a virtual mailbox domain, whose other addresses are refused (550).
         */
        Builder mailbox(String address) {
            if (!address.matches("[a-z0-9.+-]+@[a-z0-9.-]+")) {
                throw new IllegalArgumentException("mailbox address " + address);
            }
            mailboxes.add(address);
            return this;
        }

        PostfixPeer start() throws IOException, InterruptedException {
            boolean sending = relayhost != null || serverCa != null || !clients.isEmpty();
            if (sending && (relayhost == null || serverCa == null || clients.isEmpty())) {
                throw new IllegalStateException("a sending instance needs a relayhost, the server's CA and at least one client");
            }
            if (receivers.isEmpty() != mailboxes.isEmpty()) {
                throw new IllegalStateException("a receiving instance needs at least one receiver and at least one mailbox");
            }
            if (!sending && receivers.isEmpty()) {
                throw new IllegalStateException("an instance needs clients (to send) or receivers (to receive)");
            }
            return PostfixPeer.start(this);
        }

        private boolean sending() {
            return !clients.isEmpty();
        }
    }

    private final Path directory;
    private final Path conf;
    /** The injecting smtpd's port; 0 when the instance does not send. */
    private final int smtpPort;
    private final Map<String, Client> clients;
    private final Map<String, Integer> receiverPorts;
    private final Map<String, Receiver> receivers;
    private final Process wrapper;
    private final Thread shutdownHook;
    private boolean closed;

    private PostfixPeer(Path directory, int smtpPort, Map<String, Client> clients, Map<String, Receiver> receivers,
                        Map<String, Integer> receiverPorts, Process wrapper) {
        this.directory = directory;
        this.conf = directory.resolve("conf");
        this.smtpPort = smtpPort;
        this.clients = clients;
        this.receivers = receivers;
        this.receiverPorts = receiverPorts;
        this.wrapper = wrapper;
        this.shutdownHook = new Thread(this::stopQuietly, "postfix-peer-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Fails with a message saying what to install when this machine cannot run a Postfix instance. */
    static void requireInstalled() {
        List<String> missing = new ArrayList<>();
        for (Path tool : List.of(POSTFIX, POSTQUEUE, POSTCONF)) {
            if (!Files.isExecutable(tool)) {
                missing.add(tool.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Postfix is not installed (missing " + String.join(", ", missing) + "): .ci/run installs it, "
                + "or: echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && "
                + "DEBIAN_FRONTEND=noninteractive apt-get install -y postfix");
        }
        if (run(Duration.ofSeconds(30), "perl", "-e", "require POSIX; 1").exitCode != 0) {
            throw new IllegalStateException("perl is needed to run Postfix as a test peer (it reaps Postfix's processes): apt-get install perl");
        }
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                throw new IllegalStateException("Postfix's master daemon must be started by root, and the tests run as uid " + uid
                    + ": run the integration tests as root (as on the CI machines)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell which user runs the tests", e);
        }
    }

    private static PostfixPeer start(Builder b) throws IOException, InterruptedException {
        requireInstalled();
        Path dir = b.directory;
        Path conf = dir.resolve("conf");
        Path queue = dir.resolve("queue");
        // Unix socket paths (queue/private/proxywrite, ...) must fit in sun_path (108 bytes).
        if (queue.resolve("private/proxywrite").toString().length() > 100) {
            throw new IllegalStateException("path too long for Postfix's sockets: " + queue + " (use a shorter directory)");
        }
        stopLeftover(conf);
        deleteTree(dir);
        Path data = dir.resolve("data");
        Path tls = dir.resolve("tls");
        for (Path d : List.of(dir, conf, queue, data, tls)) {
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(d.equals(tls) ? "rwx------" : "rwxr-xr-x"));
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));

        Path serverCa = null;
        if (b.serverCa != null) {
            serverCa = tls.resolve("server-ca.pem");
            Files.copy(b.serverCa, serverCa);
        }
        for (Client client : b.clients.values()) {
            if (client.certificate != null) {
                writeChainFile(client.certificate, tls.resolve(client.name + ".pem"));
            }
        }
        Map<String, Integer> receiverPorts = new LinkedHashMap<>();
        for (Receiver receiver : b.receivers.values()) {
            writeChainFile(receiver.certificate, tls.resolve(receiver.name + ".pem"));
            receiverPorts.put(receiver.name, freePort());
        }
        if (!b.mailboxes.isEmpty()) {
            // virtual(8) writes the Maildirs as an unprivileged user (nobody:nogroup, Debian's), so the base is theirs.
            Path mail = dir.resolve("mail");
            Files.createDirectories(mail);
            Files.setOwner(mail, users.lookupPrincipalByName("nobody"));
            Files.getFileAttributeView(mail, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName("nogroup"));
        }

        int smtpPort = b.sending() ? freePort() : 0;
        Files.writeString(conf.resolve("main.cf"), mainCf(b, dir, serverCa));
        Files.writeString(conf.resolve("master.cf"), masterCf(b, smtpPort, receiverPorts, tls));

        Path maillog = dir.resolve("maillog");
        Path output = dir.resolve("master.out");
        ProcessBuilder command = new ProcessBuilder("perl", "-e", REAPER, conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        command.environment().remove("MAIL_CONFIG");
        Process wrapper = command.start();
        PostfixPeer peer = new PostfixPeer(dir, smtpPort, new LinkedHashMap<>(b.clients), new LinkedHashMap<>(b.receivers),
            receiverPorts, wrapper);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read(maillog).contains("postfix/master[") || !read(maillog).contains("]: daemon started -- ")) {
            if (!wrapper.isAlive() || System.nanoTime() > deadline) {
                String why = wrapper.isAlive() ? "did not start within 60 s" : "exited with status " + wrapper.exitValue();
                // Read the logs first: closing removes the directory.
                String logs = "\n--- " + output + ":\n" + read(output) + "\n--- " + maillog + ":\n" + read(maillog);
                peer.close();
                throw new IllegalStateException("Postfix in " + dir + " " + why + logs);
            }
            Thread.sleep(50);
        }
        return peer;
    }

    /** One PEM file: the private key followed by its certificate chain (smtp_tls_chain_files, smtpd_tls_chain_files). */
    private static void writeChainFile(IssuedCertificate certificate, Path file) throws IOException {
        Path tls = file.getParent();
        Path key = Files.createTempFile(tls, "key", ".pem");
        Path chain = Files.createTempFile(tls, "chain", ".pem");
        try {
            certificate.writePrivateKeyPem(key);
            certificate.writeCertificatePem(chain);
            Files.writeString(file, Files.readString(key) + Files.readString(chain));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } finally {
            Files.delete(key);
            Files.delete(chain);
        }
    }

    private static String mainCf(Builder b, Path dir, Path serverCa) throws IOException {
        List<String> cf = new ArrayList<>(List.of(
            "# A test instance of Postfix written by PostfixPeer.",
            "compatibility_level = 3.6",
            "queue_directory = " + dir.resolve("queue"),
            "data_directory = " + dir.resolve("data"),
            "maillog_file = " + dir.resolve("maillog"),
            "maillog_file_prefixes = " + dir,
            "myhostname = mta." + DOMAIN,
            "mydomain = " + DOMAIN,
            "myorigin = $myhostname",
            "mydestination =",
            "local_recipient_maps =",
            "alias_maps =",
            "alias_database =",
            "biff = no",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.0/8",
            "smtpd_peername_lookup = no"));
        if (b.sending()) {
            String senders = b.clients.values().stream()
                .map(c -> c.sender() + "=" + c.name)
                .collect(Collectors.joining(", "));
            cf.addAll(List.of(
                "# Sending: everything is relayed over TLS (level verify) to the relayhost.",
                "relayhost = " + b.relayhost,
                // The envelope sender picks the client transport; an unknown sender is not relayed at all.
                "sender_dependent_default_transport_maps = inline:{" + senders + "}",
                "default_transport = error:5.3.0 no client transport for this sender",
                // Bounces are addressed to the senders: discard them here rather than relay them to the relayhost.
                "transport_maps = inline:{" + DOMAIN + "=discard:}",
                "smtp_tls_security_level = verify",
                "smtp_tls_verify_cert_match = " + b.serverName,
                "smtp_tls_CAfile = " + serverCa,
                "smtp_tls_loglevel = 1",
                "smtp_tls_session_cache_database ="));
        } else {
            // Nothing is relayed: a bounce of a received message (there should be none) stays on record, undelivered.
            cf.add("default_transport = error:5.3.0 this instance only receives");
        }
        if (!b.receivers.isEmpty()) {
            Path mail = dir.resolve("mail");
            Object uid = Files.getAttribute(mail, "unix:uid");
            Object gid = Files.getAttribute(mail, "unix:gid");
            String domains = b.mailboxes.stream().map(m -> m.substring(m.indexOf('@') + 1)).distinct()
                .collect(Collectors.joining(" "));
            String maildirs = b.mailboxes.stream().map(m -> m + "=" + m + "/").collect(Collectors.joining(", "));
            cf.addAll(List.of(
                "# Receiving: each mailbox address into a Maildir of its own (the trailing / makes it a Maildir).",
                "virtual_mailbox_domains = " + domains,
                "virtual_mailbox_base = " + mail,
                "virtual_mailbox_maps = inline:{" + maildirs + "}",
                "virtual_uid_maps = static:" + uid,
                "virtual_gid_maps = static:" + gid,
                // Each receiver's smtpd sets its own certificate and turns STARTTLS on (master.cf).
                "smtpd_tls_loglevel = 1",
                "smtpd_tls_received_header = yes",
                "smtpd_tls_session_cache_database ="));
        }
        cf.add("");
        return String.join("\n", cf);
    }

    private static String masterCf(Builder b, int smtpPort, Map<String, Integer> receiverPorts, Path tls) {
        StringBuilder cf = new StringBuilder();
        cf.append("# service type private unpriv chroot wakeup maxproc command (nothing chrooted)\n");
        if (b.sending()) {
            cf.append("127.0.0.1:").append(smtpPort).append(" inet n - n - - smtpd\n");
        }
        for (Receiver receiver : b.receivers.values()) {
            cf.append("127.0.0.1:").append(receiverPorts.get(receiver.name)).append(" inet n - n - - smtpd\n")
                .append("  -o syslog_name=postfix/").append(receiver.name).append('\n')
                .append("  -o myhostname=").append(receiver.hostname).append('\n')
                .append("  -o smtpd_tls_security_level=may\n")
                .append("  -o smtpd_tls_chain_files=").append(tls.resolve(receiver.name + ".pem")).append('\n');
        }
        for (String line : List.of(
            "pickup    unix  n - n 60    1 pickup",
            "cleanup   unix  n - n -     0 cleanup",
            "qmgr      unix  n - n 300   1 qmgr",
            "tlsmgr    unix  - - n 1000? 1 tlsmgr",
            "rewrite   unix  - - n -     - trivial-rewrite",
            "bounce    unix  - - n -     0 bounce",
            "defer     unix  - - n -     0 bounce",
            "trace     unix  - - n -     0 bounce",
            "verify    unix  - - n -     1 verify",
            "flush     unix  n - n 1000? 0 flush",
            "proxymap  unix  - - n -     - proxymap",
            "proxywrite unix - - n -     1 proxymap",
            "smtp      unix  - - n -     - smtp",
            "relay     unix  - - n -     - smtp",
            "showq     unix  n - n -     - showq",
            "error     unix  - - n -     - error",
            "retry     unix  - - n -     - error",
            "discard   unix  - - n -     - discard",
            "virtual   unix  - n n -     - virtual",
            "anvil     unix  - - n -     1 anvil",
            "scache    unix  - - n -     1 scache",
            "postlog   unix-dgram n - n - 1 postlogd")) {
            cf.append(line).append('\n');
        }
        for (Client client : b.clients.values()) {
            cf.append(client.name).append(" unix - - n - - smtp\n")
                .append("  -o syslog_name=postfix/").append(client.name).append('\n')
                .append("  -o smtp_bind_address=").append(client.bindAddress).append('\n')
                .append("  -o smtp_tls_chain_files=")
                .append(client.certificate == null ? "" : tls.resolve(client.name + ".pem").toString()).append('\n');
        }
        return cf.toString();
    }

    Path directory() {
        return directory;
    }

    /** The loopback port of this instance's smtpd, where mail is injected. */
    int smtpPort() {
        if (smtpPort == 0) {
            throw new IllegalStateException("this instance does not send: it has no injecting smtpd");
        }
        return smtpPort;
    }

    Receiver receiver(String name) {
        Receiver receiver = receivers.get(name);
        if (receiver == null) {
            throw new IllegalArgumentException("no receiver " + name + " (have " + receivers.keySet() + ")");
        }
        return receiver;
    }

    /** The loopback port of a receiver's smtpd. */
    int receiverPort(String name) {
        return receiverPorts.get(receiver(name).name);
    }

    /**
     * The messages virtual(8) delivered into the Maildir of {@code address} (new/ and cur/), as stored (LF line ends,
     * with the Delivered-To and Received headers Postfix added), in delivery order.
     */
    List<String> messages(String address) {
        Path maildir = directory.resolve("mail").resolve(address);
        List<Path> files = new ArrayList<>();
        for (String folder : List.of("new", "cur")) {
            Path dir = maildir.resolve(folder);
            if (Files.isDirectory(dir)) {
                try (java.util.stream.Stream<Path> list = Files.list(dir)) {
                    list.forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        // By modification time, then by name (Maildir names start with the delivery time in seconds).
        files.sort(java.util.Comparator.comparing((Path f) -> {
            try {
                return Files.getLastModifiedTime(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).thenComparing(f -> f.getFileName().toString()));
        return files.stream().map(PostfixPeer::read).collect(Collectors.toList());
    }

    /** Waits for the message whose Subject header is {@code subject} in {@code address}'s Maildir. */
    String awaitMessage(String address, String subject, Duration timeout) throws InterruptedException {
        String header = "\nSubject: " + subject + "\n";
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            Optional<String> message = messages(address).stream().filter(m -> m.contains(header)).findFirst();
            if (message.isPresent()) {
                return message.get();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no message \"" + subject + "\" reached " + address + "'s Maildir within " + timeout
            + "\n--- mail log:\n" + mailLog() + "\n--- queue:\n" + queue());
    }

    Client client(String name) {
        Client client = clients.get(name);
        if (client == null) {
            throw new IllegalArgumentException("no client transport " + name + " (have " + clients.keySet() + ")");
        }
        return client;
    }

    /**
     * Injects one message by SMTP into this instance's smtpd, from the sender of {@code clientName}'s transport, and
     * returns its Postfix queue ID.
     */
    String submit(String clientName, String recipient, String subject) {
        String sender = client(clientName).sender();
        try (SmtpClient smtp = connectToSmtpd()) {
            Reply greeting = smtp.readReply();
            if (greeting.code() != 220) {
                throw new IllegalStateException("Postfix's smtpd greeted with " + greeting);
            }
            smtp.command("EHLO injector.peer.test");
            Reply reply = smtp.sendMail(sender, recipient, subject);
            smtp.command("QUIT");
            Matcher queued = QUEUED.matcher(reply.toString());
            if (reply.code() != 250 || !queued.find()) {
                throw new IllegalStateException("Postfix's smtpd did not queue the message: " + reply);
            }
            return queued.group(1);
        }
    }

    /** Connects to this instance's smtpd, retrying for a few seconds in case its master has only just started. */
    private SmtpClient connectToSmtpd() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return SmtpClient.connect("127.0.0.1", smtpPort);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.net.ConnectException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The whole mail log of this instance. */
    String mailLog() {
        return read(directory.resolve("maillog"));
    }

    /** The log lines about one queued message. */
    List<String> logLines(String queueId) {
        String tag = " " + queueId + ": ";
        return mailLog().lines().filter(l -> l.contains(tag)).collect(Collectors.toList());
    }

    /** Waits for the first log line that matches; empty if none came in time. */
    Optional<String> awaitLogLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            Optional<String> line = mailLog().lines().filter(matches).findFirst();
            if (line.isPresent()) {
                return line;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /**
     * Waits for the first delivery attempt's outcome of a queued message: its {@code to=<...> ... status=...} line
     * (sent, bounced or deferred). Fails with the instance's log if none comes in time.
     */
    String awaitDeliveryStatus(String queueId, Duration timeout) throws InterruptedException {
        String tag = " " + queueId + ": to=<";
        return awaitLogLine(l -> l.contains(tag) && l.contains(" status="), timeout)
            .orElseThrow(() -> new AssertionError("Postfix logged no delivery status for " + queueId + " within " + timeout
                + "\n--- mail log:\n" + mailLog() + "\n--- queue:\n" + queue()));
    }

    /** The queue as {@code postqueue -j} prints it: one JSON object per queued message. */
    String queue() {
        Run run = run(Duration.ofSeconds(30), POSTQUEUE.toString(), "-c", conf.toString(), "-j");
        if (run.exitCode != 0) {
            throw new IllegalStateException("postqueue -j failed: " + run.output);
        }
        return run.output;
    }

    /** Whether a message of this queue ID is still queued (in any queue). */
    boolean isQueued(String queueId) {
        return queue().contains("\"queue_id\": \"" + queueId + "\"");
    }

    /** Stops Postfix, waits until every one of its processes has exited, then removes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        stop();
    }

    private void stopQuietly() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop();
    }

    private void stop() {
        try {
            if (wrapper.isAlive()) {
                run(Duration.ofSeconds(60), POSTFIX.toString(), "-c", conf.toString(), "stop");
            }
            if (!wrapper.waitFor(30, TimeUnit.SECONDS)) {
                // The master did not stop: kill it and everything else of this instance.
                run(Duration.ofSeconds(30), POSTFIX.toString(), "-c", conf.toString(), "abort");
                wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
                if (!wrapper.waitFor(10, TimeUnit.SECONDS)) {
                    wrapper.destroyForcibly();
                    wrapper.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
            wrapper.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (!wrapper.isAlive()) {
            // Every process is gone: remove the instance (its private keys too) rather than leave it in /tmp.
            try {
                deleteTree(directory);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("PostfixPeer: cannot remove " + directory + ": " + e);
            }
        }
    }

    /** A master left running by an earlier, killed test JVM would keep the queue locked: stop it first. */
    private static void stopLeftover(Path conf) throws IOException {
        Path pidFile = conf.resolveSibling("queue").resolve("pid/master.pid");
        if (!Files.exists(conf.resolve("main.cf")) || !Files.exists(pidFile)) {
            return;
        }
        String pid = Files.readString(pidFile).trim();
        Optional<ProcessHandle> master = pid.matches("\\d+") ? ProcessHandle.of(Long.parseLong(pid))
            .filter(p -> p.info().command().map(c -> c.endsWith("/master")).orElse(false)) : Optional.empty();
        if (master.isPresent()) {
            run(Duration.ofSeconds(60), POSTFIX.toString(), "-c", conf.toString(), "stop");
            master.get().onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finished command: exit code and output (stdout and stderr). */
    private static final class Run {
        final int exitCode;
        final String output;

        Run(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    private static Run run(Duration timeout, String... command) {
        try {
            Path log = Files.createTempFile("postfix-peer", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                builder.environment().remove("MAIL_CONFIG");
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    return new Run(-1, "did not finish within " + timeout + ": " + String.join(" ", command) + "\n" + Files.readString(log));
                }
                return new Run(process.exitValue(), Files.readString(log));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Run(-1, "cannot run " + String.join(" ", command) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "interrupted: " + String.join(" ", command));
        }
    }
}
