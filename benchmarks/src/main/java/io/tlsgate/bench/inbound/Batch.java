package io.tlsgate.bench.inbound;

/** One timed batch on one listener. */
final class Batch {
    final int clients;
    final int round;
    final Listener listener;
    final int messages;
    final long nanos;
    final long cpuNanos;
    /** CPU of the listener's own threads (James's SMTP work for this listener, TLS Gate's handler included). */
    final long listenerCpuNanos;
    final long[] sessionNanos;

    Batch(int clients, int round, Listener listener, int messages, long nanos, long cpuNanos, long listenerCpuNanos, long[] sessionNanos) {
        this.clients = clients;
        this.round = round;
        this.listener = listener;
        this.messages = messages;
        this.nanos = nanos;
        this.cpuNanos = cpuNanos;
        this.listenerCpuNanos = listenerCpuNanos;
        this.sessionNanos = sessionNanos;
    }

    double perSecond() {
        return messages / (nanos / 1e9);
    }
}
