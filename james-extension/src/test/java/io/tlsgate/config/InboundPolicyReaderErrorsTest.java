package io.tlsgate.config;

import static io.tlsgate.config.HandlerXml.HANDLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;

import org.apache.commons.configuration2.BaseConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Configurations the reader refuses: each error names the element (its location) and what is wrong with it. */
class InboundPolicyReaderErrorsTest {
    private static final String ENCRYPT = "<level>encrypt</level>";
    private static final String DEFAULT = "<default>" + ENCRYPT + "</default>";
    private static final String RULE_ELEMENTS = "level, minCipherBits, minProtocol, failure, missingTls, afterRefusal,"
        + " subjectCn, subjectDn, issuerDn, dnsName, pin, acceptServerAuthOnly, minRsaBits, minEcBits, revocation";
    private static final String ONE_RULE_PER_KEY = "; each host, domain or address may appear in one rule only";
    private static final String PIN = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String VERIFY = "<level>verify</level>";
    private static final String NOT_A_DIGEST = " is not a SHA-256 digest: write 64 hex digits (colons allowed) or 44 base64 characters";
    private static final String NEEDS_OF = "needs of=\"spki\" (a digest of the public key) or of=\"certificate\" (a digest of the whole certificate)";
    private static final String CERTIFICATE_ELEMENTS = "subjectCn, subjectDn, issuerDn, dnsName, pin, authenticateAs";
    private static final String EVERY_CERTIFICATE = "a relay grant needs at least one identity constraint or pin; it would otherwise let every"
        + " verified certificate relay";
    private static final String NO_LEVEL = "the rule sets no level and nothing that implies one (say <level>none</level> to exempt a peer)";

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            // the handler element
            bad("unknown element in the handler, with a hint", DEFAULT + "<clinet peer='a.example'>" + ENCRYPT + "</clinet>",
                " <clinet peer=\"a.example\">", "unknown element; did you mean <client>? (allowed here: verification, default, client, relay, accessFile, replyCodes)"),
            bad("unknown element in the handler, no hint", DEFAULT + "<rule>" + ENCRYPT + "</rule>",
                " <rule>", "unknown element (allowed here: verification, default, client, relay, accessFile, replyCodes)"),
            bad("no default", "<client peer='a.example'>" + ENCRYPT + "</client>", "",
                "no <default> rule: write what clients without a rule of their own must meet"
                    + " (<default><level>none</level></default> exempts them)"),
            bad("nothing at all", "", "",
                "no <default> rule: write what clients without a rule of their own must meet"
                    + " (<default><level>none</level></default> exempts them)"),
            bad("two defaults", DEFAULT + "<default><level>none</level></default>", " <default>", "there is already a <default> rule; keep one"),
            bad("attribute on default", "<default peer='a.example'>" + ENCRYPT + "</default>", " <default peer=\"a.example\">",
                "unknown attribute peer=\"a.example\" (this element takes none)"),

            // client peer keys
            bad("client without peer", DEFAULT + "<client>" + ENCRYPT + "</client>", " <client>",
                "has no peer=\"...\" attribute naming the hosts, domains or addresses it is for"),
            bad("client with another attribute", DEFAULT + "<client peers='a.example'>" + ENCRYPT + "</client>", " <client peers=\"a.example\">",
                "unknown attribute peers=\"a.example\" (allowed: peer)"),
            bad("empty peer", DEFAULT + "<client peer=''>" + ENCRYPT + "</client>", " <client peer=\"\">",
                "peer=\"\" names no host, domain or address"),
            bad("blank peer", DEFAULT + "<client peer='  '>" + ENCRYPT + "</client>", " <client peer=\"  \">",
                "peer=\"\" names no host, domain or address"),
            badPeer("prefix too long", "192.0.2.0/33", "peer '192.0.2.0/33': prefix length must be between 0 and 32, not 33"),
            badPeer("IPv6 prefix too long", "2001:db8::/129", "peer '2001:db8::/129': prefix length must be between 0 and 128, not 129"),
            badPeer("prefix not a number", "192.0.2.0/x", "peer '192.0.2.0/x': 'x' is not a prefix length"),
            badPeer("CIDR of a name", "mx.example/24", "peer 'mx.example/24': 'mx.example' is not an IP address"),
            badPeer("host bits set", "192.0.2.1/24", "peer '192.0.2.1/24': bits beyond the /24 prefix are set; did you mean 192.0.2.0/24?"),
            badPeer("IPv6 host bits set", "2001:db8::1/32", "peer '2001:db8::1/32': bits beyond the /32 prefix are set; did you mean 2001:db8::/32?"),
            badPeer("octet over 255 in a prefix", "10.256", "peer '10.256': 256 is not an address byte (0..255)"),
            badPeer("octet over 255 in an address", "192.0.2.256", "peer '192.0.2.256': 256 is not an address byte (0..255)"),
            badPeer("leading zero in a prefix", "010.1", "peer '010.1': '010' has a leading zero, which some tools read as octal;"
                + " write the byte in plain decimal"),
            badPeer("leading zero in an address", "01.2.3.4", "peer '01.2.3.4': '01' has a leading zero, which some tools read as"
                + " octal; write the byte in plain decimal"),
            badPeer("wildcard domain", "*.example.com",
                "peer '*.example.com': write the domain itself (example.com); a domain entry already covers all its subdomains"),
            badPeer("leading dot", ".example.com",
                "peer '.example.com': write the domain itself (example.com); a domain entry already covers all its subdomains"),
            badPeer("bracketed address", "[192.0.2.1]", "peer '[192.0.2.1]': write addresses without brackets"),
            badPeer("not a name", "mx?.example", "peer 'mx?.example' is not a host name, domain, address or address block"),
            badPeer("empty label", "mx..example", "peer 'mx..example' is not a host name, domain, address or address block"),
            badPeer("an address with five parts", "192.0.2.1.5", "peer '192.0.2.1.5' is not a host name, domain, address or address block"),
            badPeer("a number", "3232235777", "peer '3232235777' is not a host name, domain, address or address block"),
            badPeer("a mail address", "postmaster@partner.example",
                "peer 'postmaster@partner.example' is not a host name, domain, address or address block"),
            badPeer("the bad one of several keys", "a.example,b.example mx?.example 10.1",
                "peer 'mx?.example' is not a host name, domain, address or address block"),
            bad("the same key in two rules", DEFAULT + client("10.1", ENCRYPT) + client("10.1.0.0/16", "<level>none</level>"),
                " <client peer=\"10.1.0.0/16\">", "peer '10.1.0.0/16': address block 10.1.0.0/16 has two rules (also written 10.1)" + ONE_RULE_PER_KEY),
            bad("the same domain in two rules", DEFAULT + client("mx.example", ENCRYPT) + client("MX.Example.", ENCRYPT),
                " <client peer=\"MX.Example.\">", "peer 'MX.Example.': host mx.example has two rules" + ONE_RULE_PER_KEY),
            bad("the same key twice in one rule", DEFAULT + client("192.0.2.7 192.0.2.7", ENCRYPT),
                " <client peer=\"192.0.2.7 192.0.2.7\">",
                "peer '192.0.2.7': address block 192.0.2.7 has two rules (also written 192.0.2.7)" + ONE_RULE_PER_KEY),

            // values
            badValue("unknown element in a rule, with a hint", "<levle>encrypt</levle>", " <levle>",
                "unknown element; did you mean <level>? (allowed here: " + RULE_ELEMENTS + ")"),
            badValue("element name in another case", ENCRYPT + "<mincipherbits>128</mincipherbits>", " <mincipherbits>",
                "unknown element; did you mean <minCipherBits>? (allowed here: " + RULE_ELEMENTS + ")"),
            badValue("unknown element in a rule, no hint", ENCRYPT + "<requireTLS>yes</requireTLS>", " <requireTLS>",
                "unknown element (allowed here: " + RULE_ELEMENTS + ")"),
            badValue("minCipherBits not a number", "<minCipherBits>high</minCipherBits>", " <minCipherBits>",
                "'high' is not a whole number of bits between 0 and 256"),
            badValue("minCipherBits not whole", "<minCipherBits>128.5</minCipherBits>", " <minCipherBits>",
                "'128.5' is not a whole number of bits between 0 and 256"),
            badValue("minCipherBits below 0", "<minCipherBits>-1</minCipherBits>", " <minCipherBits>",
                "-1 is out of range: cipher bits go from 0 to 256 (AES-256 and ChaCha20 give 256)"),
            badValue("minCipherBits above 256", "<minCipherBits>257</minCipherBits>", " <minCipherBits>",
                "257 is out of range: cipher bits go from 0 to 256 (AES-256 and ChaCha20 give 256)"),
            badValue("minCipherBits far too large", "<minCipherBits>99999999999</minCipherBits>", " <minCipherBits>",
                "'99999999999' is not a whole number of bits between 0 and 256"),
            badValue("unknown protocol", "<minProtocol>TLSv1.4</minProtocol>", " <minProtocol>",
                "'TLSv1.4' is not a TLS protocol name; use one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"),
            badValue("protocol written another way", "<minProtocol>TLS 1.2</minProtocol>", " <minProtocol>",
                "'TLS 1.2' is not a TLS protocol name; use one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"),
            badValue("typo in level", "<level>verfy</level>", " <level>", "'verfy' is not one of none, encrypt, fingerprint, verify"),
            badValue("bad failure", ENCRYPT + "<failure>soft</failure>", " <failure>", "'soft' is not one of temporary, permanent"),
            badValue("bad missingTls", ENCRYPT + "<missingTls>reject</missingTls>", " <missingTls>", "'reject' is not one of temporary, permanent"),
            badValue("bad afterRefusal", ENCRYPT + "<afterRefusal>close</afterRefusal>", " <afterRefusal>", "'close' is not one of refuse, disconnect"),
            badValue("empty element", ENCRYPT + "<minCipherBits/>", " <minCipherBits>", "is empty"),
            badValue("blank element", "<level>  \n  </level>", " <level>", "is empty"),
            badValue("empty identity value", "<subjectCn></subjectCn>", " <subjectCn>", "is empty"),
            badValue("an element given twice", ENCRYPT + "<level>verify</level>", " <level>", "is given twice in the same rule; keep one"),
            badValue("a floor given twice", ENCRYPT + "<minCipherBits>128</minCipherBits><minCipherBits>256</minCipherBits>", " <minCipherBits>",
                "is given twice in the same rule; keep one"),
            badValue("nested elements in a value", "<level><value>encrypt</value></level>", " <level>", "takes a value, not nested elements"),
            badValue("attribute on a value element", "<level match='exact'>encrypt</level>", " <level match=\"exact\">",
                "unknown attribute match=\"exact\" (this element takes none)"),
            badValue("unknown attribute on an identity element", "<subjectCn type='glob'>*.a.example</subjectCn>", " <subjectCn type=\"glob\">",
                "unknown attribute type=\"glob\" (allowed: match)"),
            badValue("bad match attribute", "<dnsName match='wildcard'>*.a.example</dnsName>", " <dnsName match=\"wildcard\">",
                "match=\"wildcard\" is not one of exact, glob, regex"),
            badValue("bad regex", "<subjectCn match='regex'>mx(</subjectCn>", " <subjectCn match=\"regex\">",
                "'mx(': not a valid regular expression: Unclosed group"),
            badValue("bad exact DN", "<issuerDn>Partner CA</issuerDn>", " <issuerDn>",
                "not a distinguished name (improperly specified input name: Partner CA); write it as RFC 4514, e.g. CN=Partner CA,O=Partner,C=DE"),
            badValue("bad exact subject DN among good ones", "<subjectDn>CN=a,O=b</subjectDn><subjectDn>a, b</subjectDn>", " <subjectDn>",
                "not a distinguished name (improperly specified input name: a, b); write it as RFC 4514, e.g. CN=Partner CA,O=Partner,C=DE"),

            // rules that contradict themselves or say nothing
            badValue("level none with minCipherBits", "<level>none</level><minCipherBits>128</minCipherBits>", "",
                "level none contradicts the cipher or protocol floor, which needs TLS (level encrypt, fingerprint or verify; outbound also secure)"),
            badValue("level none with minProtocol", "<minProtocol>TLSv1.2</minProtocol><level>none</level>", "",
                "level none contradicts the cipher or protocol floor, which needs TLS (level encrypt, fingerprint or verify; outbound also secure)"),
            badValue("level encrypt with an identity", ENCRYPT + "<subjectCn>mx.a.example</subjectCn>", "",
                "level encrypt contradicts the certificate identity constraints, which need level fingerprint or verify (outbound also secure)"),
            badValue("a rule with nothing in it", "", "", NO_LEVEL),
            badValue("a rule with only failure settings", "<failure>permanent</failure><afterRefusal>disconnect</afterRefusal>", "", NO_LEVEL),
            badValue("a rule with only text", "encrypt", "",
                "holds the text 'encrypt'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>"),
            badValue("text beside the elements of a rule", "minCipherBits=256<level>encrypt</level>", "",
                "holds the text 'minCipherBits=256'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>"),
            bad("text in the handler", "minCipherBits=256" + DEFAULT, "",
                "holds the text 'minCipherBits=256'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>"),
            badValue("revocation at level fingerprint", "<level>fingerprint</level><pin of='spki'>" + "ab".repeat(32) + "</pin>"
                + "<revocation>off</revocation>", " <revocation>",
                "revocation is not checked at level fingerprint (the pins decide); remove it, or use level verify"),
            bad("an empty client rule", DEFAULT + "<client peer='a.example'/>", " <client peer=\"a.example\">", NO_LEVEL),

            // certificate checks in a rule: pins
            badValue("pin without of", VERIFY + "<pin>" + PIN + "</pin>", " <pin>", NEEDS_OF),
            badValue("pin of a key, by another name", VERIFY + "<pin of='key'>" + PIN + "</pin>", " <pin of=\"key\">",
                "of=\"key\" is not one of spki, certificate"),
            badValue("pin of nothing", VERIFY + "<pin of=''>" + PIN + "</pin>", " <pin of=\"\">", "of=\"\" is not one of spki, certificate"),
            badValue("pin that is not a digest", VERIFY + "<pin of='spki'>partner</pin>", " <pin of=\"spki\">", "'partner'" + NOT_A_DIGEST),
            badValue("pin of SHA-1 length", VERIFY + "<pin of='certificate'>" + PIN.substring(0, 40) + "</pin>", " <pin of=\"certificate\">",
                "'" + PIN.substring(0, 40) + "'" + NOT_A_DIGEST),
            badValue("pin with openssl's prefix", VERIFY + "<pin of='certificate'>SHA256 Fingerprint=" + PIN + "</pin>",
                " <pin of=\"certificate\">", "'SHA256 Fingerprint=" + PIN + "'" + NOT_A_DIGEST),
            badValue("the bad one of several pins", VERIFY + "<pin of='spki'>" + PIN + "</pin><pin of='spki'>" + PIN + "0</pin>",
                " <pin of=\"spki\">", "'" + PIN + "0'" + NOT_A_DIGEST),
            badValue("empty pin", VERIFY + "<pin of='spki'/>", " <pin of=\"spki\">", "is empty"),
            badValue("pin with another attribute", VERIFY + "<pin algorithm='sha256'>" + PIN + "</pin>", " <pin algorithm=\"sha256\">",
                "unknown attribute algorithm=\"sha256\" (allowed: of)"),
            badValue("pin with nested elements", VERIFY + "<pin of='spki'><sha256>" + PIN + "</sha256></pin>", " <pin of=\"spki\">",
                "takes a value, not nested elements"),
            badValue("pins instead of pin", VERIFY + "<pins>" + PIN + "</pins>", " <pins>",
                "unknown element; did you mean <pin>? (allowed here: " + RULE_ELEMENTS + ")"),
            // key purposes, key sizes, revocation
            badValue("acceptServerAuthOnly yes", VERIFY + "<acceptServerAuthOnly>yes</acceptServerAuthOnly>", " <acceptServerAuthOnly>",
                "'yes' is not true or false"),
            badValue("acceptServerAuthOnly 1", VERIFY + "<acceptServerAuthOnly>1</acceptServerAuthOnly>", " <acceptServerAuthOnly>",
                "'1' is not true or false"),
            badValue("acceptServerAuthOnly empty", VERIFY + "<acceptServerAuthOnly/>", " <acceptServerAuthOnly>", "is empty"),
            badValue("acceptServerAuthOnly given twice", VERIFY + "<acceptServerAuthOnly>true</acceptServerAuthOnly>"
                + "<acceptServerAuthOnly>false</acceptServerAuthOnly>", " <acceptServerAuthOnly>", "is given twice in the same rule; keep one"),
            badValue("minRsaBits below 1024", VERIFY + "<minRsaBits>1023</minRsaBits>", " <minRsaBits>",
                "1023 is out of range: RSA key bits go from 1024 to 16384"),
            badValue("minRsaBits above 16384", VERIFY + "<minRsaBits>16385</minRsaBits>", " <minRsaBits>",
                "16385 is out of range: RSA key bits go from 1024 to 16384"),
            badValue("minRsaBits in kilobits", VERIFY + "<minRsaBits>2k</minRsaBits>", " <minRsaBits>",
                "'2k' is not a whole number of RSA key bits between 1024 and 16384"),
            badValue("minRsaBits negative", VERIFY + "<minRsaBits>-2048</minRsaBits>", " <minRsaBits>",
                "-2048 is out of range: RSA key bits go from 1024 to 16384"),
            badValue("minRsaBits with an attribute", VERIFY + "<minRsaBits unit='bits'>2048</minRsaBits>", " <minRsaBits unit=\"bits\">",
                "unknown attribute unit=\"bits\" (this element takes none)"),
            badValue("minRsaBits written in capitals", VERIFY + "<minRSABits>2048</minRSABits>", " <minRSABits>",
                "unknown element; did you mean <minRsaBits>? (allowed here: " + RULE_ELEMENTS + ")"),
            badValue("minEcBits below 224", VERIFY + "<minEcBits>223</minEcBits>", " <minEcBits>",
                "223 is out of range: EC key bits go from 224 to 521"),
            badValue("minEcBits above 521", VERIFY + "<minEcBits>522</minEcBits>", " <minEcBits>",
                "522 is out of range: EC key bits go from 224 to 521"),
            badValue("minEcBits as a curve name", VERIFY + "<minEcBits>P-256</minEcBits>", " <minEcBits>",
                "'P-256' is not a whole number of EC key bits between 224 and 521"),
            badValue("minEcBits given twice", VERIFY + "<minEcBits>256</minEcBits><minEcBits>384</minEcBits>", " <minEcBits>",
                "is given twice in the same rule; keep one"),
            badValue("revocation soft", VERIFY + "<revocation>soft</revocation>", " <revocation>", "'soft' is not one of required, soft-fail, off"),
            badValue("revocation softfail", VERIFY + "<revocation>softfail</revocation>", " <revocation>",
                "'softfail' is not one of required, soft-fail, off"),
            badValue("revocation none", VERIFY + "<revocation>none</revocation>", " <revocation>", "'none' is not one of required, soft-fail, off"),
            badValue("revocation ocsp", VERIFY + "<revocation>ocsp</revocation>", " <revocation>", "'ocsp' is not one of required, soft-fail, off"),
            badValue("revocation true", VERIFY + "<revocation>true</revocation>", " <revocation>", "'true' is not one of required, soft-fail, off"),
            badValue("revocation empty", VERIFY + "<revocation/>", " <revocation>", "is empty"),
            // levels that contradict the certificate checks
            badValue("fingerprint without a pin", "<level>fingerprint</level>", "",
                "level fingerprint needs at least one <pin> to compare the certificate with"),
            badValue("fingerprint with identity but no pin", "<level>fingerprint</level><subjectCn>mx.a.example</subjectCn>", "",
                "level fingerprint needs at least one <pin> to compare the certificate with"),
            badValue("encrypt with a pin", ENCRYPT + "<pin of='spki'>" + PIN + "</pin>", "",
                "level encrypt contradicts the certificate checks (pins, key usage, key sizes, revocation), which need level fingerprint or verify (outbound also secure)"),
            badValue("encrypt with acceptServerAuthOnly", ENCRYPT + "<acceptServerAuthOnly>true</acceptServerAuthOnly>", "",
                "level encrypt contradicts the certificate checks (pins, key usage, key sizes, revocation), which need level fingerprint or verify (outbound also secure)"),
            badValue("none with revocation off", "<level>none</level><revocation>off</revocation>", "",
                "level none contradicts the certificate checks (pins, key usage, key sizes, revocation), which need level fingerprint or verify (outbound also secure)"),
            badValue("none with minEcBits", "<level>none</level><minEcBits>384</minEcBits>", "",
                "level none contradicts the certificate checks (pins, key usage, key sizes, revocation), which need level fingerprint or verify (outbound also secure)"),

            // the handler's other elements, given twice
            bad("verification given twice", DEFAULT + "<verification><jvmTrustStore>true</jvmTrustStore></verification>"
                + "<verification><jvmTrustStore>true</jvmTrustStore></verification>", " <verification>", "is given twice; keep one"),
            bad("relay given twice", DEFAULT + relay(certificate("<subjectCn>a</subjectCn>")) + relay(certificate("<subjectCn>b</subjectCn>")),
                " <relay>", "is given twice; keep one"),
            bad("relay misspelt", DEFAULT + "<realy>" + certificate("<subjectCn>a</subjectCn>") + "</realy>", " <realy>",
                "unknown element; did you mean <relay>? (allowed here: verification, default, client, relay, accessFile, replyCodes)"),

            // relay
            bad("an empty relay", DEFAULT + "<relay/>", " <relay>",
                "grants nothing: add a <certificate> with the identity that may relay, or remove <relay>"),
            bad("a relay with only text", DEFAULT + "<relay>CN=Partner CA</relay>", " <relay>",
                "holds the text 'CN=Partner CA'; settings go in child elements, e.g. <minCipherBits>128</minCipherBits>"),
            bad("an attribute on relay", DEFAULT + "<relay to='all'>" + certificate("<subjectCn>a</subjectCn>") + "</relay>", " <relay to=\"all\">",
                "unknown attribute to=\"all\" (this element takes none)"),
            bad("cert for certificate", DEFAULT + relay("<cert><subjectCn>a</subjectCn></cert>"), " <relay> <cert>",
                "unknown element; did you mean <certificate>? (allowed here: certificate)"),
            bad("a client rule inside relay", DEFAULT + relay("<client peer='a.example'>" + ENCRYPT + "</client>"), " <relay> <client peer=\"a.example\">",
                "unknown element (allowed here: certificate)"),
            bad("a certificate that names nothing", DEFAULT + relay("<certificate/>"), " <relay> <certificate>", EVERY_CERTIFICATE),
            bad("a certificate that names only a user", DEFAULT + relay(certificate("<authenticateAs>partner@a.example</authenticateAs>")),
                " <relay> <certificate>", EVERY_CERTIFICATE),
            bad("the second certificate names nothing", DEFAULT + relay(certificate("<subjectCn>a</subjectCn>") + "<certificate></certificate>"),
                " <relay> <certificate>", EVERY_CERTIFICATE),
            bad("an attribute on certificate", DEFAULT + relay("<certificate peer='a.example'><subjectCn>a</subjectCn></certificate>"),
                " <relay> <certificate peer=\"a.example\">", "unknown attribute peer=\"a.example\" (this element takes none)"),
            bad("subjectCN in capitals", DEFAULT + relay(certificate("<subjectCN>a</subjectCN>")), " <relay> <certificate> <subjectCN>",
                "unknown element; did you mean <subjectCn> or <subjectDn>? (allowed here: " + CERTIFICATE_ELEMENTS + ")"),
            bad("a rule element inside certificate", DEFAULT + relay(certificate("<subjectCn>a</subjectCn>" + VERIFY)),
                " <relay> <certificate> <level>", "unknown element (allowed here: " + CERTIFICATE_ELEMENTS + ")"),
            bad("user for authenticateAs", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><user>partner</user>")),
                " <relay> <certificate> <user>", "unknown element (allowed here: " + CERTIFICATE_ELEMENTS + ")"),
            bad("a user name with a blank", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><authenticateAs>partner relay</authenticateAs>")),
                " <relay> <certificate> <authenticateAs>", "'partner relay' is not a user name"),
            bad("a user name with a tab", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><authenticateAs>partner\trelay</authenticateAs>")),
                " <relay> <certificate> <authenticateAs>", "'partner\trelay' is not a user name"),
            bad("an empty user name", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><authenticateAs> </authenticateAs>")),
                " <relay> <certificate> <authenticateAs>", "is empty"),
            bad("two users", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><authenticateAs>a</authenticateAs><authenticateAs>b</authenticateAs>")),
                " <relay> <certificate> <authenticateAs>", "is given twice in the same certificate; keep one"),
            bad("an attribute on authenticateAs", DEFAULT + relay(certificate("<subjectCn>a</subjectCn><authenticateAs domain='a.example'>partner</authenticateAs>")),
                " <relay> <certificate> <authenticateAs domain=\"a.example\">", "unknown attribute domain=\"a.example\" (this element takes none)"),
            bad("a relay pin without of", DEFAULT + relay(certificate("<pin>" + PIN + "</pin>")), " <relay> <certificate> <pin>", NEEDS_OF),
            bad("a relay pin that is not a digest", DEFAULT + relay(certificate("<pin of='spki'>" + PIN.substring(2) + "</pin>")),
                " <relay> <certificate> <pin of=\"spki\">", "'" + PIN.substring(2) + "'" + NOT_A_DIGEST),
            bad("a relay issuer that is not a DN", DEFAULT + relay(certificate("<issuerDn>Partner CA</issuerDn>")), " <relay> <certificate> <issuerDn>",
                "not a distinguished name (improperly specified input name: Partner CA); write it as RFC 4514, e.g. CN=Partner CA,O=Partner,C=DE"),
            bad("a relay glob with a bad match", DEFAULT + relay(certificate("<dnsName match='wild'>*.a.example</dnsName>")),
                " <relay> <certificate> <dnsName match=\"wild\">", "match=\"wild\" is not one of exact, glob, regex"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void badConfigurations(String name, String rules, String location, String problem) {
        PolicyConfigurationException error = catchThrowableOfType(() -> HandlerXml.read(rules), PolicyConfigurationException.class);
        assertThat(error).as("no error for %s", rules).isNotNull();
        assertThat(error).extracting(PolicyConfigurationException::location, PolicyConfigurationException::problem, Throwable::getMessage)
            .containsExactly(location, problem, "TLS Gate configuration error in " + location + ": " + problem);
    }

    @Test
    void anAttributeOnTheHandlerOtherThanClassIsRefused() {
        String xml = "<handler class='io.tlsgate.smtp.InboundTlsGate' strict='true'>" + DEFAULT + "</handler>";
        PolicyConfigurationException error = catchThrowableOfType(() -> InboundPolicyReader.read(HandlerXml.parse(xml)),
            PolicyConfigurationException.class);
        assertThat(error).hasMessage("TLS Gate configuration error in <handler strict=\"true\" class=\"io.tlsgate.smtp.InboundTlsGate\">:"
            + " unknown attribute strict=\"true\" (allowed: class)");
    }

    @Test
    void aConfigurationWithoutXmlStructureIsRefused() {
        PolicyConfigurationException error = catchThrowableOfType(() -> InboundPolicyReader.read(new BaseConfiguration()),
            PolicyConfigurationException.class);
        assertThat(error).hasMessage("TLS Gate configuration error in <handler>: James passed a configuration without XML structure"
            + " (org.apache.commons.configuration2.BaseConfiguration)");
    }

    /** A problem found in the handler element or one of its direct children. */
    private static Arguments bad(String name, String rules, String where, String problem) {
        return Arguments.of(name, rules, HANDLER + where, problem);
    }

    /** A problem with a peer key of a client rule, reported on the client element. */
    private static Arguments badPeer(String name, String peer, String problem) {
        return bad(name, DEFAULT + client(peer, ENCRYPT), " <client peer=\"" + peer + "\">", problem);
    }

    /** A problem inside a client rule, reported on the element within it ("" for the rule itself). */
    private static Arguments badValue(String name, String ruleElements, String where, String problem) {
        return bad(name, DEFAULT + client("mx.a.example", ruleElements), " <client peer=\"mx.a.example\">" + where, problem);
    }

    private static String relay(String certificates) {
        return "<relay>" + certificates + "</relay>";
    }

    private static String certificate(String elements) {
        return "<certificate>" + elements + "</certificate>";
    }

    private static String client(String peer, String ruleElements) {
        return "<client peer='" + peer + "'>" + ruleElements + "</client>";
    }
}
