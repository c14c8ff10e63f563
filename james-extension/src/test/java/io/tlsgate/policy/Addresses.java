package io.tlsgate.policy;

import com.google.common.net.InetAddresses;

/** Address literals as the bytes a socket reports. */
final class Addresses {
    private static final String MAPPED = "::ffff:";

    private Addresses() {
    }

    /**
     * The bytes of an IPv4 or IPv6 literal. "::ffff:a.b.c.d" gives the 16 bytes of the IPv4-mapped IPv6
     * address, as an IPv6 socket reports an IPv4 peer (InetAddress would turn it into 4 bytes).
     */
    static byte[] bytes(String literal) {
        if (literal.startsWith(MAPPED) && literal.contains(".")) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes(literal.substring(MAPPED.length())), 0, mapped, 12, 4);
            return mapped;
        }
        return InetAddresses.forString(literal).getAddress();
    }

    static AddressBlock block(String address, int prefixLength) {
        return AddressBlock.of(bytes(address), prefixLength, address + "/" + prefixLength);
    }
}
