package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies ranges of the stored chain against its hashes, the Merkle tree's signed checkpoints and
 * the newest chain-head checkpoint signed before the tree. Thread-safe.
 */
public final class ChainVerification {
    private final StoredChain store;
    private final PublicKey checkpointKey;
    private final Counter verifications;

    public ChainVerification(StoredChain store, PublicKey checkpointKey) {
        this(store, checkpointKey, Telemetry.disabled("audit"));
    }

    /** As above, counting verifications ({@code portcullis.audit.verifications}) by result: intact or broken. */
    public ChainVerification(StoredChain store, PublicKey checkpointKey, Telemetry telemetry) {
        this.verifications = requireNonNull(telemetry, "telemetry is null").counter("portcullis.audit.verifications", "{verification}",
                "chain verifications, by result (broken: altered, inserted, deleted or cut off)");
        this.store = requireNonNull(store, "store is null");
        this.checkpointKey = requireNonNull(checkpointKey, "checkpointKey is null");
    }

    /**
     * Verifies events {@code from..to} (0 means 1 and the newest). Reads the range in pages;
     * reports the first sequence where the chain breaks and any tail cut off after the newest
     * checkpoint.
     */
    public VerificationReport verify(long from, long to) {
        VerificationReport report = check(from, to);
        verifications.add(Map.of("result", report.intact() ? "intact" : "broken"));
        return report;
    }

    private VerificationReport check(long from, long to) {
        long first = Math.max(1, from);
        long head = store.headSequence();
        long last = to == 0 ? head : Math.min(to, head);
        Optional<String> previous = store.hashAt(first - 1);
        if (previous.isEmpty()) {
            return new VerificationReport(false, 0, first - 1, "event " + (first - 1) + " is missing", List.of(), 0,
                    List.of(), 0);
        }
        ChainVerifier verifier = new ChainVerifier(first, previous.get());
        store.latestCheckpoint().ifPresent(verifier::withCheckpoint);
        if (store.treeSize() >= first - 1) {
            // the tree of the events before the range is taken from the store, as the chain hash before it is
            Map<MerkleTree.Node, byte[]> edge = store.treeNodes(Set.copyOf(CompactRange.edge(first - 1)));
            List<byte[]> hashes = CompactRange.edge(first - 1).stream().map(edge::get).toList();
            if (hashes.stream().anyMatch(java.util.Objects::isNull)) {
                return new VerificationReport(false, 0, first - 1, "the Merkle tree before event " + first + " is incomplete",
                        List.of(), 0, List.of(), 0);
            }
            verifier.withTree(CompactRange.of(first - 1, hashes), store.treeCheckpoints(first, Long.MAX_VALUE), checkpointKey);
        }
        if (first <= last) {
            store.scan(first, last, verifier::accept);
        }
        return verifier.finish(head, checkpointKey);
    }
}
