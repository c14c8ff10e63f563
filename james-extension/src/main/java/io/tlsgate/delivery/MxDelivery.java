package io.tlsgate.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.apache.james.transport.mailets.remote.delivery.DeliveryRetriesHelper;
import org.apache.james.transport.mailets.remote.delivery.DnsHelper;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.HostAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.net.InetAddresses;

import io.tlsgate.config.OutboundPolicy;
import io.tlsgate.config.OutboundRule;
import io.tlsgate.policy.DecisionLine;
import io.tlsgate.policy.DestinationTable;

/**
 * One delivery attempt of one mail: its MX hosts in order (or the gateway), each under the rule that applies to
 * it. A policy refusal or an unreachable MX moves on to the next MX; the verdict is final only after all of them,
 * and permanent only when every MX refused for good.
 */
@SuppressWarnings("deprecation") // HostAddress is what James's DNS helper gives
final class MxDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(MxDelivery.class);
    /** An enhanced status code at the start of a reason, alone ("4.7.0 ...") or after a reply code ("550 5.1.1 ..."). */
    private static final Pattern STATUS = Pattern.compile("^(?:[245]\\d\\d[ -])?([245]\\.\\d{1,3}\\.\\d{1,3})(?=\\s|$)");

    private final RemoteDeliveryConfiguration configuration;
    private final DnsHelper dns;
    private final Supplier<OutboundPolicy> policies;
    private final HostAttempt attempt;
    private final RelayDecisions decisions;

    MxDelivery(RemoteDeliveryConfiguration configuration, DnsHelper dns, Supplier<OutboundPolicy> policies, HostAttempt attempt,
               RelayDecisions decisions) {
        this.decisions = decisions;
        this.configuration = configuration;
        this.dns = dns;
        this.policies = policies;
        this.attempt = attempt;
    }

    DeliveryOutcome deliver(Mail mail) {
        List<MailAddress> remaining = new ArrayList<>(mail.getRecipients());
        if (remaining.isEmpty()) {
            return new DeliveryOutcome(List.of(), List.of(), List.of(), "", Optional.empty());
        }
        String domain = remaining.get(0).getDomain().asString();
        Iterator<HostAddress> hosts;
        try {
            hosts = dns.retrieveHostAddressIterator(domain, configuration.isSSLEnable());
        } catch (TemporaryResolutionException e) {
            return DeliveryOutcome.temporaryFailure(remaining, "4.4.3 cannot look up the mail servers of " + domain + " now: " + e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.error("Looking up the mail servers of {} failed", domain, e);
            return DeliveryOutcome.temporaryFailure(remaining, "4.4.3 cannot look up the mail servers of " + domain + ": " + e);
        }
        if (!hosts.hasNext()) {
            String reason = "no mail server found for " + domain;
            return DeliveryRetriesHelper.retrieveRetries(mail) >= configuration.getDnsProblemRetry()
                ? DeliveryOutcome.permanentFailure(remaining, "5.4.4 " + reason)
                : DeliveryOutcome.temporaryFailure(remaining, "4.4.4 " + reason);
        }
        // The policy in force when the attempt starts judges every MX of it, even if a reload happens meanwhile.
        OutboundPolicy policy = policies.get();
        List<MailAddress> delivered = new ArrayList<>();
        List<MailAddress> refused = new ArrayList<>();
        List<HostResult> failures = new ArrayList<>();
        while (hosts.hasNext() && !remaining.isEmpty()) {
            HostAddress host = hosts.next();
            // The recipient side of the rules is the same for every recipient of this group (split by rule before).
            DestinationTable.Rules<OutboundRule> rules = rules(policy, remaining.get(0), domain, host);
            TlsCheck check = new TlsCheck(rules, hostName(host), domain, host.getHost(), policy.verification(), decisions);
            HostResult result = attempt.deliver(mail, remaining, host, check, ConnectionKey.of(policy, rules, domain, host));
            log(mail, check, result);
            switch (result.kind) {
                case DELIVERED:
                    delivered.addAll(result.sent);
                    remaining.clear();
                    break;
                case PARTIAL:
                    // The server answered for each recipient; another MX of the same domain would answer the same.
                    delivered.addAll(result.sent);
                    refused.addAll(result.refused);
                    remaining.removeAll(result.sent);
                    remaining.removeAll(result.refused);
                    failures.add(result);
                    return outcome(delivered, refused, remaining, failures, Optional.of(result), result.smtpCode);
                case REJECTED:
                    failures.add(result);
                    return outcome(delivered, result.permanent ? union(refused, remaining) : refused,
                        result.permanent ? List.of() : remaining, failures, Optional.of(result), result.smtpCode);
                default:
                    failures.add(result);
            }
        }
        boolean allPermanent = !failures.isEmpty() && failures.stream().allMatch(f -> f.permanent);
        return outcome(delivered, allPermanent ? union(refused, remaining) : refused, allPermanent ? List.of() : remaining,
            failures, Optional.empty(), Optional.empty());
    }

    private static DestinationTable.Rules<OutboundRule> rules(OutboundPolicy policy, MailAddress recipient, String domain, HostAddress host) {
        return rules(policy, recipient.asString(), domain, host);
    }

    /** The rules of one MX for a recipient ("" for none: then only the domain, the MX and the default count). */
    static DestinationTable.Rules<OutboundRule> rules(OutboundPolicy policy, String recipient, String domain, HostAddress host) {
        byte[] address;
        try {
            address = InetAddresses.isInetAddress(host.getHost()) ? InetAddresses.forString(host.getHost()).getAddress()
                : InetAddress.getByName(host.getHost()).getAddress();
        } catch (UnknownHostException e) {
            address = new byte[4];
        }
        String name = hostName(host);
        return policy.rules().rules(recipient, domain,
            InetAddresses.isInetAddress(name) ? Optional.empty() : Optional.of(name), address);
    }

    /** The MX host name without its trailing dot (and without a port); an address literal without its brackets. */
    static String hostName(HostAddress host) {
        String name = host.getHostName();
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * @param deciding the host whose answer settled the recipients (it refused the transaction or answered for each
     *     recipient); empty when every MX failed, and then the first failure gives the status
     */
    private static DeliveryOutcome outcome(List<MailAddress> delivered, List<MailAddress> permanent, List<MailAddress> temporary,
                                           List<HostResult> failures, Optional<HostResult> deciding, Optional<Integer> code) {
        if (failures.isEmpty()) {
            return new DeliveryOutcome(delivered, permanent, temporary, "", code);
        }
        return new DeliveryOutcome(delivered, permanent, temporary, reason(failures, deciding, false), reason(failures, deciding, true), code);
    }

    /**
     * DSN text: an RFC 3463 status first, then which host said what. The status is the one the deciding reply gave
     * ("550 5.1.1 ..." gives 5.1.1), of the class the recipients ended in: 5.x.x only when no MX left a chance.
     */
    private static String reason(List<HostResult> failures, Optional<HostResult> deciding, boolean permanent) {
        HostResult source = deciding.orElse(failures.get(0));
        Matcher given = STATUS.matcher(permanent ? source.permanentReason() : source.reason);
        String status = given.find() ? given.group(1) : permanent ? "5.0.0" : "4.0.0";
        if (permanent && status.startsWith("4")) {
            status = "5" + status.substring(1);
        } else if (!permanent && status.startsWith("5")) {
            status = "4" + status.substring(1);
        }
        return status + " " + failures.stream().map(f -> permanent ? f.describePermanent() : f.describe()).collect(Collectors.joining("; "));
    }

    private static List<MailAddress> union(Collection<MailAddress> a, Collection<MailAddress> b) {
        List<MailAddress> all = new ArrayList<>(a);
        b.stream().filter(x -> !all.contains(x)).forEach(all::add);
        return all;
    }

    private static void log(Mail mail, TlsCheck check, HostResult result) {
        String rule = check.rules();
        String id = "mail=" + mail.getName() + " mx=" + result.host;
        String outcome = " result=" + result.kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
            + (result.details().isEmpty() ? "" : " detail=\"" + result.details() + "\"");
        check.last().ifPresentOrElse(
            judgement -> LOGGER.info(DecisionLine.of(id, rule.toString(), judgement.facts, judgement.verdict) + outcome),
            () -> LOGGER.info("tlsgate outbound {} rule=\"{}\" tls=not-reached{}", id, rule, outcome));
    }
}
