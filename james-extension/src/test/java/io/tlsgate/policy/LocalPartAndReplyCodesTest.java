package io.tlsgate.policy;

import static io.tlsgate.policy.Addresses.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Sendmail access files added to the policy: TLS_Rcpt:user@ keys (after the address and the domain, before the
 * MX) and Sendmail's reply codes (403 / 503) as an option of a requirement.
 */
class LocalPartAndReplyCodesTest {
    private static final DestinationTable<String> TABLE = DestinationTable.builder("default")
        .recipient("ceo@bank.example", "ceo")
        .domain("bank.example", "bank")
        .localPart("Postmaster@", "postmaster")
        .mxHost("mx.hoster.example", "hoster")
        .build();

    @ParameterizedTest(name = "{0} via {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "ceo@bank.example        | mx.hoster.example | ceo        | recipient ceo@bank.example",
        "postmaster@bank.example | mx.hoster.example | bank       | domain bank.example",
        "postmaster@other.example | mx.hoster.example | postmaster | local-part postmaster@",
        "POSTMASTER@Other.Example | mx.other.example | postmaster | local-part postmaster@",
        "abuse@other.example     | mx.hoster.example | hoster     | mx mx.hoster.example",
        "abuse@other.example     | mx.other.example  | default    | default",
        "\"odd@\"@other.example  | mx.other.example  | default    | default"})
    void localPartsComeAfterAddressAndDomainBeforeTheMx(String recipient, String mx, String rule, String shown) {
        String domain = recipient.substring(recipient.lastIndexOf('@') + 1);
        DestinationTable.Match<String> match = TABLE.lookup(recipient, domain, Optional.of(mx), bytes("192.0.2.1"));
        assertThat(match.rule()).isEqualTo(rule);
        assertThat(match.toString()).isEqualTo(shown);
    }

    @Test
    void aLocalPartRuleIsTheRecipientsOwnOnlyWithoutADomainRule() {
        assertThat(TABLE.recipientRule("postmaster@other.example")).contains("postmaster");
        assertThat(TABLE.recipientRule("postmaster@bank.example")).isEmpty();
        assertThat(TABLE.recipientRule("ceo@bank.example")).contains("ceo");
        assertThat(TABLE.recipientRule("abuse@other.example")).isEmpty();
    }

    @Test
    void badLocalPartKeys() {
        assertThatThrownBy(() -> DestinationTable.builder("d").localPart("postmaster", "x")).hasMessageContaining("not a local part followed by @");
        assertThatThrownBy(() -> DestinationTable.builder("d").localPart("@", "x")).hasMessageContaining("not a local part followed by @");
        assertThatThrownBy(() -> DestinationTable.builder("d").localPart("a@", "x").localPart("A@", "y"))
            .hasMessageContaining("local part a@ has two rules");
    }

    @ParameterizedTest(name = "{0} {1} {2}: {3}")
    @CsvSource({
        "STANDARD, TEMPORARY, TLS_MISSING,     454",
        "STANDARD, PERMANENT, TLS_MISSING,     530",
        "STANDARD, TEMPORARY, CIPHER_TOO_WEAK, 454",
        "STANDARD, PERMANENT, CIPHER_TOO_WEAK, 554",
        "SENDMAIL, TEMPORARY, TLS_MISSING,     403",
        "SENDMAIL, PERMANENT, TLS_MISSING,     503",
        "SENDMAIL, TEMPORARY, CIPHER_TOO_WEAK, 403",
        "SENDMAIL, PERMANENT, CIPHER_TOO_WEAK, 503"})
    void replyCodes(ReplyCodes codes, TlsRequirement.Failure failure, RefusalReason reason, String code) {
        Verdict verdict = Verdict.refuse(reason, failure, "why", TlsRequirement.AfterRefusal.REFUSE, codes);
        assertThat(verdict.replyCode()).isEqualTo(code);
        assertThat(verdict.enhancedStatus()).isEqualTo(failure == TlsRequirement.Failure.TEMPORARY ? "4.7.0" : "5.7.0");
        assertThat(verdict.reply()).isEqualTo(code + " " + verdict.enhancedStatus() + " why");
    }

    @Test
    void theEvaluatorUsesTheRequirementsReplyCodes() {
        TlsRequirement encrypt = TlsRequirement.builder().level(TlsRequirement.Level.ENCRYPT).minCipherBits(256)
            .failure(TlsRequirement.Failure.PERMANENT).build();
        TlsRequirement sendmail = encrypt.withReplyCodes(ReplyCodes.SENDMAIL);
        assertThat(encrypt.replyCodes()).isEqualTo(ReplyCodes.STANDARD);
        assertThat(encrypt.withReplyCodes(ReplyCodes.STANDARD)).isSameAs(encrypt);
        assertThat(sendmail.toString()).isEqualTo(encrypt + " replyCodes=sendmail");
        TlsFacts weak = Fixtures.tls("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA");
        assertThat(PolicyEvaluator.evaluate(encrypt, weak).reply()).isEqualTo("554 5.7.0 encryption too weak: 128 bits, 256 required");
        assertThat(PolicyEvaluator.evaluate(sendmail, weak).reply()).isEqualTo("503 5.7.0 encryption too weak: 128 bits, 256 required");
        assertThat(PolicyEvaluator.evaluate(encrypt, Fixtures.plaintext()).reply()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        assertThat(PolicyEvaluator.evaluate(sendmail, Fixtures.plaintext()).reply()).isEqualTo("503 5.7.0 Must issue a STARTTLS command first");
    }
}
