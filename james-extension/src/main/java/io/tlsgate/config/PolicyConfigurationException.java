package io.tlsgate.config;

import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * A configuration the extension refuses, with the element it found the problem in and what is wrong.
 * It is a commons-configuration {@link ConfigurationException}, which James turns into a failed start.
 */
public final class PolicyConfigurationException extends ConfigurationException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String problem;

    public PolicyConfigurationException(String location, String problem) {
        super("TLS Gate configuration error in " + location + ": " + problem);
        this.location = location;
        this.problem = problem;
    }

    /** Where: the chain of elements, e.g. {@code <handler class="..."> <client peer="10.0.0.0/8"> <minCipherBits>}. */
    public String location() {
        return location;
    }

    public String problem() {
        return problem;
    }
}
