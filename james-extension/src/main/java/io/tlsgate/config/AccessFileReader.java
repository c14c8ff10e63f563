package io.tlsgate.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tlsgate.policy.DistinguishedName;
import io.tlsgate.policy.IdentityConstraint;
import io.tlsgate.policy.IdentityPattern;
import io.tlsgate.policy.RelayGrant;
import io.tlsgate.policy.TlsRequirement;

/**
 * Reads a Sendmail access file, the text makemap reads: one entry a line, the key, whitespace, the value; lines
 * starting with '#' and blank lines are skipped; keys are case-insensitive. The TLS entries are read:
 *
 * <pre>
 *   TLS_Clt:host|domain|address|prefix   requirement   inbound: the client; bare TLS_Clt: is the default
 *   TLS_Srv:host|domain|address|prefix   requirement   outbound: the MX
 *   TLS_Rcpt:user@domain|domain|user@    requirement   outbound: the recipient; bare TLS_Rcpt: is the default
 *   Try_TLS:host|address                 NO            outbound: STARTTLS not even tried (level none)
 *   CertIssuer:dn                        RELAY|SUBJECT inbound relay by a verified certificate of that issuer,
 *   CertSubject:dn                       RELAY         or of that subject from an issuer marked SUBJECT
 *   CITag:dn                             tag           issuers that a +CITag:tag extension accepts
 *   Srv_Features:host|address|           letters       v (ask for a client certificate) and s (offer STARTTLS) as the
 *                                                      listeners do; V and S cannot be honoured and are refused
 * </pre>
 *
 * Requirements are {@link SendmailTlsValue}s. An unsupported or wrong TLS entry is an error naming the line; a rule
 * key given twice is found when the side that uses it builds its table (see {@link AccessFile#duplicate}), a
 * certificate, tag or feature key given twice here; other entries of a real access file (Connect:, From:, To:, Spam:, untagged...) are not TLS policy:
 * they are counted and logged once with their line numbers, never used.
 */
final class AccessFileReader {
    private static final Logger LOGGER = LoggerFactory.getLogger(AccessFileReader.class);
    private static final int LOGGED_LINES = 30;

    private static final TlsRequirement NO_TLS = TlsRequirement.builder().level(TlsRequirement.Level.NONE).build();

    private final String location;
    private final boolean inboundSide;
    private final Map<String, TlsRequirement> inboundValues = new HashMap<>();
    private final Map<String, TlsRequirement> outboundValues = new HashMap<>();
    private final Map<String, List<DistinguishedName>> tags = new HashMap<>();
    private final List<Pending> pendingTagged = new ArrayList<>();
    private final Map<Object, AccessEntry<?, ?>> seen = new HashMap<>();

    private AccessEntry<String, TlsRequirement> clientDefault;
    private AccessEntry<String, TlsRequirement> destinationDefault;
    private final List<AccessEntry<PeerKey, TlsRequirement>> clients = new ArrayList<>();
    private final List<AccessEntry<String, TlsRequirement>> recipients = new ArrayList<>();
    private final List<AccessEntry<PeerKey, TlsRequirement>> domains = new ArrayList<>();
    private final List<AccessEntry<String, TlsRequirement>> localParts = new ArrayList<>();
    private final List<AccessEntry<PeerKey, TlsRequirement>> servers = new ArrayList<>();
    private final List<AccessEntry<DistinguishedName, ?>> relayIssuers = new ArrayList<>();
    private final List<DistinguishedName> subjectIssuers = new ArrayList<>();
    private final List<AccessEntry<DistinguishedName, ?>> relaySubjects = new ArrayList<>();
    private final List<Integer> ignoredLines = new ArrayList<>();
    private int ignored;

    private AccessFileReader(String location, boolean inboundSide) {
        this.location = location;
        this.inboundSide = inboundSide;
    }

    static final String ELEMENT = "accessFile";

    /**
     * Reads the file an {@code <accessFile>} element names (James's file:// form). Every line is checked; only the
     * entries of the reading side are kept (the inbound gate's, or the relay's).
     */
    static AccessFile read(ConfigElement element, FileResolver files, boolean inboundSide) throws PolicyConfigurationException {
        element.allowAttributes(java.util.Set.of());
        if (element.hasChildren()) {
            throw element.error("takes a file name, not nested elements");
        }
        String name = element.text();
        Path path;
        try {
            path = files.resolve(name);
        } catch (java.io.FileNotFoundException e) {
            throw element.error("'" + name + "' cannot be found (" + e.getMessage() + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw element.error("'" + name + "' (" + path + ") does not exist or is not a file");
        }
        return read(path, element.location() + " " + name, inboundSide);
    }

    /**
     * @param location how messages name the file, e.g. {@code <handler ...> <accessFile> conf/access}
     */
    static AccessFile read(Path file, String location, boolean inboundSide) throws PolicyConfigurationException {
        AccessFileReader reader = new AccessFileReader(location, inboundSide);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyConfigurationException(location, "cannot be read: " + e);
        }
        try (BufferedReader lines = new BufferedReader(new java.io.StringReader(text(content)))) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                reader.line(++number, line);
            }
        } catch (IOException e) {
            throw new PolicyConfigurationException(location, "cannot be read: " + e);
        }
        return reader.finish();
    }

    /**
     * The file's text: UTF-8 when it is UTF-8 (a byte-order mark dropped), else Latin-1, byte by byte, as
     * makemap reads it. Either way a name with other characters is refused or compared as written.
     */
    private static String text(byte[] content) {
        int start = content.length >= 3 && (content[0] & 0xff) == 0xef && (content[1] & 0xff) == 0xbb && (content[2] & 0xff) == 0xbf ? 3 : 0;
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(content, start, content.length - start);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(content, start, content.length - start, StandardCharsets.ISO_8859_1);
        }
    }

    private PolicyConfigurationException error(int line, String written, String problem) {
        return new PolicyConfigurationException(location + " line " + line + " (" + written + ")", problem);
    }

    private void line(int number, String text) throws PolicyConfigurationException {
        int start = 0;
        int length = text.length();
        while (start < length && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        if (start == length || text.charAt(start) == '#') {
            return;
        }
        int end = start;
        while (end < length && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        String written = text.substring(start, end);
        String value = text.substring(end).trim();
        int colon = written.indexOf(':');
        String tag = colon < 0 ? "" : written.substring(0, colon).toLowerCase(Locale.ROOT);
        String key = colon < 0 ? written : written.substring(colon + 1);
        try {
            switch (tag) {
                case "tls_clt":
                    requirementEntry(number, written, "client", key, value, true);
                    break;
                case "tls_srv":
                    requirementEntry(number, written, "server", key, value, false);
                    break;
                case "tls_rcpt":
                    recipientEntry(number, written, key, value);
                    break;
                case "try_tls":
                    tryTls(number, written, key, value);
                    break;
                case "certissuer":
                case "certsubject":
                    certificateEntry(number, written, tag, key, value);
                    break;
                case "citag":
                    tag(number, written, key, value);
                    break;
                case "srv_features":
                    serverFeatures(number, written, key, value);
                    break;
                default:
                    if (tag.contains("tls") || tag.startsWith("cert") || tag.endsWith("_features")) {
                        throw new IllegalArgumentException("unsupported TLS entry " + written.substring(0, colon + 1)
                            + ": TLS Gate reads TLS_Clt, TLS_Srv, TLS_Rcpt, Try_TLS, CertIssuer, CertSubject, CITag and"
                            + " Srv_Features; remove the line or move it to a file TLS Gate does not read");
                    }
                    ignored++;
                    if (ignoredLines.size() < LOGGED_LINES) {
                        ignoredLines.add(number);
                    }
            }
        } catch (IllegalArgumentException e) {
            throw error(number, written, e.getMessage());
        }
    }

    private TlsRequirement requirement(String value, boolean inbound) {
        Map<String, TlsRequirement> cache = inbound ? inboundValues : outboundValues;
        TlsRequirement requirement = cache.get(value);
        if (requirement == null) {
            // Many entries share a few values: one requirement object per distinct value keeps large files small.
            requirement = SendmailTlsValue.parse(value, inbound, tags);
            cache.put(value, requirement);
        }
        return requirement;
    }

    private boolean tagged(String value) {
        return value.toLowerCase(Locale.ROOT).contains("+citag:");
    }

    private void requirementEntry(int number, String written, String kind, String key, String value, boolean inbound)
            throws PolicyConfigurationException {
        TlsRequirement known = (inbound ? inboundValues : outboundValues).get(value);
        if (known != null) {
            add(number, written, kind, key, known);
            return;
        }
        if (tagged(value)) {
            // CITag: lines may come later in the file: read the value at the end.
            pendingTagged.add(new Pending(number, written, kind, key, value, inbound));
            return;
        }
        add(number, written, kind, key, requirement(value, inbound));
    }

    private void add(int number, String written, String kind, String key, TlsRequirement requirement) throws PolicyConfigurationException {
        if (key.isEmpty()) {
            AccessEntry<String, TlsRequirement> entry = new AccessEntry<>(number, written, "", requirement);
            if (kind.equals("client")) {
                if (clientDefault != null) {
                    throw error(number, written, "a second default for clients; line " + clientDefault.line() + " ("
                        + clientDefault.written() + ") is one already");
                }
                clientDefault = entry;
            } else {
                if (destinationDefault != null) {
                    throw error(number, written, "a second outbound default; line " + destinationDefault.line() + " ("
                        + destinationDefault.written() + ") is one already (TLS Gate has one outbound default: keep one of"
                        + " the bare TLS_Srv:, TLS_Rcpt: and Try_TLS:)");
                }
                destinationDefault = entry;
            }
            return;
        }
        if (kind.equals("client") != inboundSide) {
            // The other side's entry: its key is checked, the entry not kept.
            if (kind.equals("recipient") || kind.equals("localPart")) {
                return;
            }
            PeerKey.parse(key);
            return;
        }
        switch (kind) {
            case "client":
                clients.add(new AccessEntry<>(number, written, PeerKey.parse(key), requirement));
                break;
            case "server":
                servers.add(new AccessEntry<>(number, written, PeerKey.parse(key), requirement));
                break;
            case "recipient":
                recipients.add(new AccessEntry<>(number, written, key.toLowerCase(Locale.ROOT), requirement));
                break;
            case "domain":
                domains.add(new AccessEntry<>(number, written, PeerKey.parse(key), requirement));
                break;
            case "localPart":
                localParts.add(new AccessEntry<>(number, written, key.toLowerCase(Locale.ROOT), requirement));
                break;
            default:
                throw new IllegalStateException(kind);
        }
    }

    /** Refuses a key that an earlier line of the same kind already has (makemap would keep one of them silently). */
    private <K, V> AccessEntry<K, V> unique(AccessEntry<K, V> entry, String kind) throws PolicyConfigurationException {
        AccessEntry<?, ?> earlier = seen.putIfAbsent(List.of(kind, entry.key()), entry);
        if (earlier != null) {
            throw error(entry.line(), entry.written(), "the " + kind + " " + entry.key() + " has an entry already on line "
                + earlier.line() + " (" + earlier.written() + "); keep one");
        }
        return entry;
    }

    private void recipientEntry(int number, String written, String key, String value) throws PolicyConfigurationException {
        int at = key.indexOf('@');
        String kind;
        if (key.isEmpty()) {
            kind = "recipient";
        } else if (at < 0) {
            PeerKey domain = PeerKey.parse(key);
            if (domain.host().isEmpty()) {
                throw new IllegalArgumentException("'" + key + "' is an address; TLS_Rcpt takes user@domain, domain or user@"
                    + " (MX addresses go in TLS_Srv:)");
            }
            kind = "domain";
        } else if (at == key.length() - 1) {
            if (at == 0 || key.lastIndexOf('@', at - 1) >= 0) {
                throw new IllegalArgumentException("'" + key + "' is not user@, user@domain or a domain");
            }
            kind = "localPart";
        } else {
            if (at == 0 || key.indexOf('@', at + 1) >= 0 || PeerKey.parse(key.substring(at + 1)).host().isEmpty()) {
                throw new IllegalArgumentException("'" + key + "' is not user@, user@domain or a domain");
            }
            kind = "recipient";
        }
        requirementEntry(number, written, kind, key, value, false);
    }

    private void tryTls(int number, String written, String key, String value) throws PolicyConfigurationException {
        if (!value.equalsIgnoreCase("NO")) {
            throw new IllegalArgumentException("Try_TLS takes NO (do not try STARTTLS with that server), not '" + value + "'");
        }
        add(number, written, "server", key, NO_TLS);
    }

    private void certificateEntry(int number, String written, String tag, String key, String value) throws PolicyConfigurationException {
        DistinguishedName dn = SendmailDn.parse(key);
        AccessEntry<DistinguishedName, String> entry = new AccessEntry<>(number, written, dn, value);
        unique(entry, tag.equals("certissuer") ? "issuer" : "subject");
        if (tag.equals("certsubject")) {
            if (!value.equalsIgnoreCase("RELAY")) {
                throw new IllegalArgumentException("CertSubject takes RELAY, not '" + value + "'");
            }
            relaySubjects.add(entry);
        } else if (value.equalsIgnoreCase("RELAY")) {
            relayIssuers.add(entry);
        } else if (value.equalsIgnoreCase("SUBJECT")) {
            subjectIssuers.add(dn);
        } else {
            throw new IllegalArgumentException("CertIssuer takes RELAY or SUBJECT, not '" + value + "'");
        }
    }

    private void tag(int number, String written, String key, String value) throws PolicyConfigurationException {
        DistinguishedName dn = SendmailDn.parse(key);
        if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("CITag takes one word, the tag that +CITag:tag names, not '" + value + "'");
        }
        unique(new AccessEntry<>(number, written, dn, value), "tagged issuer");
        tags.computeIfAbsent(value.toLowerCase(Locale.ROOT), t -> new ArrayList<>()).add(dn);
    }

    private void serverFeatures(int number, String written, String key, String value) throws PolicyConfigurationException {
        if (!key.isEmpty()) {
            unique(new AccessEntry<>(number, written, PeerKey.parse(key), value), "Srv_Features client");
        }
        for (char feature : value.toCharArray()) {
            if (feature == 'V') {
                throw new IllegalArgumentException("V (do not ask this client for a certificate) cannot be honoured: TLS Gate's"
                    + " listeners ask every client, and a James <clientAuth> listener requires a certificate of every client;"
                    + " remove V (a client without a certificate gets its TLS_Clt rule)");
            }
            if (feature == 'S') {
                throw new IllegalArgumentException("S (do not offer STARTTLS to this client) cannot be honoured: James offers"
                    + " STARTTLS to every client of a listener; remove S");
            }
        }
        // v (ask for a client certificate) and s (offer STARTTLS) are what TLS Gate's listeners do; other letters
        // (AUTH, PIPELINING, ...) are not TLS policy.
    }

    private AccessFile finish() throws PolicyConfigurationException {
        for (Pending pending : pendingTagged) {
            try {
                add(pending.number, pending.written, pending.kind, pending.key, requirement(pending.value, pending.inbound));
            } catch (IllegalArgumentException e) {
                throw error(pending.number, pending.written, e.getMessage());
            }
        }
        List<RelayGrant> grants = new ArrayList<>();
        for (AccessEntry<DistinguishedName, ?> issuer : relayIssuers) {
            grants.add(new RelayGrant(List.of(dnConstraint(IdentityConstraint.Field.ISSUER_DN, List.of(issuer.key()))), List.of(),
                Optional.empty()));
        }
        for (AccessEntry<DistinguishedName, ?> subject : relaySubjects) {
            if (subjectIssuers.isEmpty()) {
                throw error(subject.line(), subject.written(), "is never consulted: Sendmail looks up CertSubject only for"
                    + " an issuer whose CertIssuer: entry says SUBJECT, and this file has none");
            }
            grants.add(new RelayGrant(List.of(dnConstraint(IdentityConstraint.Field.ISSUER_DN, subjectIssuers),
                dnConstraint(IdentityConstraint.Field.SUBJECT_DN, List.of(subject.key()))), List.of(), Optional.empty()));
        }
        if (ignored > 0) {
            LOGGER.info("TLS Gate {}: {} entries ignored, not TLS policy (lines {}{})", location, ignored,
                ignoredLines.stream().map(String::valueOf).collect(Collectors.joining(", ")),
                ignored > ignoredLines.size() ? " and " + (ignored - ignoredLines.size()) + " more" : "");
        }
        return new AccessFile(location, Optional.ofNullable(clientDefault), clients, grants, Optional.ofNullable(destinationDefault),
            recipients, domains, localParts, servers, ignored);
    }

    private static IdentityConstraint dnConstraint(IdentityConstraint.Field field, List<DistinguishedName> names) {
        return new IdentityConstraint(field, names.stream().map(n -> IdentityPattern.exact(n.display())).collect(Collectors.toList()));
    }

    /** An entry whose value names a CITag: read once every CITag: line is known. */
    private static final class Pending {
        final int number;
        final String written;
        final String kind;
        final String key;
        final String value;
        final boolean inbound;

        Pending(int number, String written, String kind, String key, String value, boolean inbound) {
            this.number = number;
            this.written = written;
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.inbound = inbound;
        }
    }
}
