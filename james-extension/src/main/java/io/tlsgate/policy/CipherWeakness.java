package io.tlsgate.policy;

/** Properties of a cipher suite that make it unacceptable or suspect whatever its key length. */
public enum CipherWeakness {
    /** No encryption at all. */
    NULL_CIPHER,
    /** RC4: prohibited for TLS by RFC 7465, whatever its key length. */
    RC4,
    /** 1990s export-grade suite. */
    EXPORT,
    /** Anonymous key exchange: the server is not authenticated. */
    ANONYMOUS
}
