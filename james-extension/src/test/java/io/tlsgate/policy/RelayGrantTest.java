package io.tlsgate.policy;

import static io.tlsgate.policy.Fixtures.PARTNER_CA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.tlsgate.policy.CertificatePin.Of;
import io.tlsgate.policy.IdentityConstraint.Field;

class RelayGrantTest {
    private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final String C = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private static final String D = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

    /** Leaf: certificate digest A, key digest B; its CA: certificate digest C, key digest D. */
    private static final PeerCertificate LEAF = Fixtures.withDigests("CN=mx.partner.example,O=Partner", A, B);
    private static final PeerCertificate CA = new PeerCertificate(DistinguishedName.parse(PARTNER_CA),
        DistinguishedName.parse("CN=Partner Root,O=Partner"), List.of("Partner CA"), List.of(), C, D);
    private static final List<PeerCertificate> CHAIN = List.of(LEAF, CA);

    private static final IdentityConstraint ISSUED_BY_PARTNER = constraint(Field.ISSUER_DN, PARTNER_CA);
    private static final IdentityConstraint ISSUED_BY_ROOT = constraint(Field.ISSUER_DN, "CN=Partner Root,O=Partner");
    private static final IdentityConstraint CN_MX = constraint(Field.SUBJECT_CN, "mx.partner.example");
    private static final IdentityConstraint CN_OTHER = constraint(Field.SUBJECT_CN, "mx.other.example");

    static Stream<Arguments> grants() {
        return Stream.of(
            grant("issuer of the leaf", List.of(ISSUED_BY_PARTNER), List.of(), CHAIN, true),
            grant("issuer and CN of the leaf", List.of(ISSUED_BY_PARTNER, CN_MX), List.of(), CHAIN, true),
            grant("every constraint must match: CN does not", List.of(ISSUED_BY_PARTNER, CN_OTHER), List.of(), CHAIN, false),
            grant("constraints apply to the leaf, not to its CA", List.of(ISSUED_BY_ROOT), List.of(), CHAIN, false),
            grant("a key pin of the leaf", List.of(), List.of(pin(Of.SPKI, B)), CHAIN, true),
            grant("a certificate pin of the leaf", List.of(), List.of(pin(Of.CERTIFICATE, A)), CHAIN, true),
            grant("a key pin of the CA in the chain", List.of(), List.of(pin(Of.SPKI, D)), CHAIN, true),
            grant("a certificate pin of the CA in the chain", List.of(), List.of(pin(Of.CERTIFICATE, C)), CHAIN, true),
            grant("a key pin of the CA, chain without it", List.of(), List.of(pin(Of.SPKI, D)), List.of(LEAF), false),
            grant("a certificate digest pinned as a key", List.of(), List.of(pin(Of.SPKI, A)), CHAIN, false),
            grant("a key digest pinned as a certificate", List.of(), List.of(pin(Of.CERTIFICATE, B)), CHAIN, false),
            grant("one of several pins matches", List.of(), List.of(pin(Of.SPKI, A), pin(Of.CERTIFICATE, D), pin(Of.SPKI, D)), CHAIN, true),
            grant("none of several pins matches", List.of(), List.of(pin(Of.SPKI, A), pin(Of.CERTIFICATE, B)), CHAIN, false),
            grant("constraint and pin both match", List.of(CN_MX), List.of(pin(Of.SPKI, B)), CHAIN, true),
            grant("constraint matches, pin does not", List.of(CN_MX), List.of(pin(Of.SPKI, A)), CHAIN, false),
            grant("pin matches, constraint does not", List.of(CN_OTHER), List.of(pin(Of.SPKI, B)), CHAIN, false),
            grant("no certificate", List.of(ISSUED_BY_PARTNER), List.of(), List.of(), false),
            grant("no certificate, pins only", List.of(), List.of(pin(Of.SPKI, B)), List.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void grants(String name, List<IdentityConstraint> identity, List<CertificatePin> pins, List<PeerCertificate> chain, boolean matches) {
        assertThat(new RelayGrant(identity, pins, Optional.empty()).matches(chain)).isEqualTo(matches);
    }

    @Test
    void aGrantWithoutConstraintOrPinIsRefused() {
        assertThatThrownBy(() -> new RelayGrant(List.of(), List.of(), Optional.of("partner@example.com")))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("a relay grant needs at least one identity constraint or pin; it would otherwise let every verified certificate relay");
    }

    @Test
    void theUserIsKeptAndDescribed() {
        RelayGrant grant = new RelayGrant(List.of(ISSUED_BY_PARTNER, CN_MX), List.of(pin(Of.SPKI, B)), Optional.of("partner@example.com"));
        assertThat(grant.user()).contains("partner@example.com");
        assertThat(grant).hasToString("relay[issuer DN " + PARTNER_CA + "; subject CN mx.partner.example; spki:sha256:" + B
            + "; as partner@example.com]");
        assertThat(new RelayGrant(List.of(), List.of(pin(Of.CERTIFICATE, A)), Optional.empty()))
            .hasToString("relay[certificate:sha256:" + A + "]")
            .extracting(RelayGrant::user).isEqualTo(Optional.empty());
    }

    @Test
    void theListsAreCopied() {
        List<IdentityConstraint> identity = new ArrayList<>(List.of(CN_MX));
        List<CertificatePin> pins = new ArrayList<>(List.of(pin(Of.SPKI, B)));
        RelayGrant grant = new RelayGrant(identity, pins, Optional.empty());
        identity.add(CN_OTHER);
        pins.set(0, pin(Of.SPKI, A));
        assertThat(grant.matches(CHAIN)).isTrue();
    }

    @Test
    void theUserMayNotBeNull() {
        assertThatThrownBy(() -> new RelayGrant(List.of(CN_MX), List.of(), null)).isExactlyInstanceOf(NullPointerException.class);
    }

    private static Arguments grant(String name, List<IdentityConstraint> identity, List<CertificatePin> pins, List<PeerCertificate> chain,
                                   boolean matches) {
        return Arguments.of(name, identity, pins, chain, matches);
    }

    private static IdentityConstraint constraint(Field field, String exact) {
        return new IdentityConstraint(field, List.of(IdentityPattern.exact(exact)));
    }

    private static CertificatePin pin(Of of, String hex) {
        return CertificatePin.parse(of, hex);
    }
}
