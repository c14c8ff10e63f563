package io.tlsgate.policy;

import java.util.Arrays;

/** An IPv4 or IPv6 network: an address and a prefix length, with no host bits set. */
public final class AddressBlock {
    private final byte[] network;
    private final int prefixLength;
    private final String label;

    private AddressBlock(byte[] network, int prefixLength, String label) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.label = label;
    }

    /**
     * @param address 4 or 16 bytes
     * @param label how the block was written, for messages ("192.0.2.0/24", "10.1")
     * @throws IllegalArgumentException on a bad length or prefix, or when bits beyond the prefix are set
     */
    public static AddressBlock of(byte[] address, int prefixLength, String label) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
        }
        int max = address.length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length must be between 0 and " + max + ", not " + prefixLength);
        }
        byte[] network = mask(address, prefixLength);
        if (!Arrays.equals(network, address)) {
            throw new IllegalArgumentException("bits beyond the /" + prefixLength + " prefix are set");
        }
        return new AddressBlock(network, prefixLength, label);
    }

    static byte[] mask(byte[] address, int prefixLength) {
        byte[] masked = address.clone();
        for (int bit = prefixLength; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return masked;
    }

    /** The address a host really has: IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) become IPv4. */
    static byte[] canonical(byte[] address) {
        if (address.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return address;
                }
            }
            if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
                return Arrays.copyOfRange(address, 12, 16);
            }
        }
        return address;
    }

    public boolean contains(byte[] address) {
        byte[] a = canonical(address);
        return a.length == network.length && Arrays.equals(mask(a, prefixLength), network);
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int addressLength() {
        return network.length;
    }

    byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressBlock && ((AddressBlock) o).prefixLength == prefixLength
            && Arrays.equals(((AddressBlock) o).network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return label;
    }
}
