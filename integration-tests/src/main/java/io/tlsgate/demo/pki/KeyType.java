package io.tlsgate.demo.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** The keys test certificates get. */
public enum KeyType {
    RSA_1024, RSA_2048, EC_P256;

    private static final SecureRandom RANDOM = new SecureRandom();

    KeyPair generate() {
        try {
            KeyPairGenerator generator;
            switch (this) {
                case EC_P256:
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    break;
                case RSA_1024:
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(1024, RANDOM);
                    break;
                default:
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048, RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
