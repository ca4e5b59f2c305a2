package dev.portcullis.cli.audit;

import dev.portcullis.audit.api.ExportFormat;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GetConsistencyProofRequest;
import dev.portcullis.v1.GetConsistencyProofResponse;
import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Whether today's log extends a checkpoint an auditor saved: from a consistency proof the service
 * gives (checked here, never trusted), or from an export's own events. Stateless.
 *
 * @param consistent true when nothing the saved checkpoint covers was changed, removed or reordered
 * @param detail plain words for the auditor: what was compared, or what failed
 */
record LogConsistency(boolean consistent, String detail) {

    /** Checks the service's log, whose newest verified checkpoint is {@code current}, against {@code saved}. */
    static LogConsistency online(AuditServiceGrpc.AuditServiceBlockingStub stub, TreeHead saved, TreeHead current) {
        if (current.size() < saved.size()) {
            return shorter(current.size(), saved);
        }
        GetConsistencyProofResponse proof = stub.withDeadlineAfter(60, TimeUnit.SECONDS).getConsistencyProof(
                GetConsistencyProofRequest.newBuilder().setFromSize(saved.size()).setToSize(current.size()).build());
        boolean holds = MerkleProofs.verifyConsistency(saved.size(), current.size(),
                proof.getHashesList().stream().map(ByteString::toByteArray).toList(), saved.root(), current.root());
        return holds ? extended(saved, current.size()) : rewritten(saved);
    }

    /** Checks an export (verified or not) against {@code saved}, by recomputing the tree of its first events. */
    static LogConsistency offline(ExportFormat.Export export, TreeHead saved) {
        if (export.events().size() < saved.size()) {
            return shorter(export.events().size(), saved);
        }
        return Arrays.equals(export.root(saved.size()), saved.root()) ? extended(saved, export.events().size()) : rewritten(saved);
    }

    private static LogConsistency extended(TreeHead saved, long now) {
        return new LogConsistency(true, "the log of " + now + " events extends the saved checkpoint of " + saved.size() + " events");
    }

    private static LogConsistency shorter(long now, TreeHead saved) {
        return new LogConsistency(false, "the log holds " + now + " events, fewer than the " + saved.size()
                + " the saved checkpoint covers: events at or before sequence " + saved.size() + " were removed");
    }

    private static LogConsistency rewritten(TreeHead saved) {
        return new LogConsistency(false, "the log does not extend the saved checkpoint of " + saved.size()
                + " events: an event at or before sequence " + saved.size() + " was changed, removed or reordered");
    }
}
