package dev.portcullis.audit.api;

import com.google.protobuf.ByteString;
import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.ChainedEvent;

/** Maps stored events and checkpoints to and from their contract form (also the export format). */
public final class ChainedEvents {
    private ChainedEvents() {}

    public static ChainedEvent toProto(StoredEvent stored) {
        return ChainedEvent.newBuilder()
                .setEvent(AuditEvents.toProto(stored.event()))
                .setSequence(stored.sequence())
                .setHash(stored.hash())
                .setPreviousHash(stored.previousHash())
                .setStoredAt(ProtoTime.of(stored.storedAt()))
                .build();
    }

    /** @throws IllegalArgumentException when the record is malformed */
    public static StoredEvent fromProto(ChainedEvent proto) {
        return new StoredEvent(proto.getSequence(), AuditEvents.fromProto(proto.getEvent()), ProtoTime.toInstant(proto.getStoredAt()),
                proto.getPreviousHash(), proto.getHash());
    }

    public static dev.portcullis.v1.Checkpoint toProto(Checkpoint checkpoint) {
        return dev.portcullis.v1.Checkpoint.newBuilder()
                .setSequence(checkpoint.sequence())
                .setHash(checkpoint.hash())
                .setSignedAt(ProtoTime.of(checkpoint.signedAt()))
                .setSignature(ByteString.copyFrom(checkpoint.signature()))
                .setKeyId(checkpoint.keyId())
                .build();
    }

    public static Checkpoint fromProto(dev.portcullis.v1.Checkpoint proto) {
        return new Checkpoint(proto.getSequence(), proto.getHash(), ProtoTime.toInstant(proto.getSignedAt()),
                proto.getSignature().toByteArray(), proto.getKeyId());
    }

}
