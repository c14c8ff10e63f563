package io.tlsgate.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import javax.inject.Inject;
import javax.inject.Singleton;

import io.tlsgate.config.DecisionFeed;
import io.tlsgate.policy.Decision;
import io.tlsgate.policy.DecisionListener;

/** The last refusals, inbound and outbound, newest first, in memory and bounded (the oldest is dropped). */
@Singleton
public final class RefusalLog implements DecisionListener {
    public static final int DEFAULT_SIZE = 100;

    private final int size;
    private final Deque<Decision> refusals = new ArrayDeque<>();

    /** Listens to the feed from its creation: one log per James. */
    @Inject
    public RefusalLog(DecisionFeed feed) {
        this(DEFAULT_SIZE);
        feed.subscribe(this);
    }

    RefusalLog(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("the refusal log must hold at least one refusal, got " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    @Override
    public void decided(Decision decision) {
        if (decision.verdict().accepted()) {
            return;
        }
        synchronized (refusals) {
            refusals.addFirst(decision);
            while (refusals.size() > size) {
                refusals.removeLast();
            }
        }
    }

    /** At most {@code limit} refusals, newest first. */
    public List<Decision> latest(int limit) {
        List<Decision> latest = new ArrayList<>();
        synchronized (refusals) {
            for (Iterator<Decision> it = refusals.iterator(); it.hasNext() && latest.size() < limit; ) {
                latest.add(it.next());
            }
        }
        return latest;
    }
}
