package dev.portcullis.audit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GetConsistencyProofRequest;
import dev.portcullis.v1.GetConsistencyProofResponse;
import dev.portcullis.v1.GetInclusionProofRequest;
import dev.portcullis.v1.GetInclusionProofResponse;
import dev.portcullis.v1.SignCheckpointRequest;
import dev.portcullis.v1.SignCheckpointResponse;
import dev.portcullis.v1.VerifyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetInclusionProof, GetConsistencyProof and SignCheckpoint over real mTLS: the proofs check
 * against signed checkpoints with the public key alone, and bounds fail with precise statuses.
 * 25 events and more, checkpoints every 10.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogProofsOverGrpcTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private PublicKey key;

    @BeforeAll
    void twentyFiveEvents() {
        fixture = ServiceFixture.start("audit", dir, Map.of("portcullis.audit.data-dir", dir.resolve("audit").toString(),
                "portcullis.audit.checkpoint-every", 10));
        as(TestIdentity.OTHER_SERVICE).append(AppendRequest.newBuilder().addAllEvents(IntStream.range(0, 25)
                .mapToObj(n -> AuditEvents.toProto(AuditEvent.builder("executor", AuditAction.TASK_STARTED,
                        Instant.parse("2026-11-24T09:00:00Z").plusSeconds(n)).actor("spiffe://test.example/ci/app").build()))
                .toList()).build());
        key = CheckpointSigner.readPublicKey(dir.resolve("audit/checkpoint.pub"));
    }

    @AfterAll
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        fixture.close();
    }

    private AuditServiceGrpc.AuditServiceBlockingStub as(TestIdentity identity) {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(identity));
        channels.add(channel);
        return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static List<byte[]> hashes(List<ByteString> proto) {
        return proto.stream().map(ByteString::toByteArray).toList();
    }

    @Test
    void anInclusionProofAgainstTheNewestCheckpointVerifiesWithThePublicKey() {
        GetInclusionProofResponse proof = as(TestIdentity.AUDITOR).getInclusionProof(
                GetInclusionProofRequest.newBuilder().setSequence(7).build());

        TreeHead head = CheckpointSigner.open(proof.getSignedCheckpoint(), key).orElseThrow();
        StoredEvent event = ChainedEvents.fromProto(proof.getEvent());
        assertEquals(proof.getTreeSize(), head.size());
        assertTrue(event.hashHolds());
        assertTrue(MerkleProofs.verifyInclusion(6, head.size(), MerkleTree.eventLeafHash(event.hash()),
                hashes(proof.getHashesList()), head.root()));
    }

    @Test
    void anEventNewerThanTheNewestCheckpointIsProvedAgainstOneSignedForIt() {
        long head = as(TestIdentity.AUDITOR).verify(VerifyRequest.getDefaultInstance()).getChecked();

        GetInclusionProofResponse proof = as(TestIdentity.AUDITOR).getInclusionProof(
                GetInclusionProofRequest.newBuilder().setSequence(head).build());

        assertEquals(head, CheckpointSigner.open(proof.getSignedCheckpoint(), key).orElseThrow().size());
    }

    @Test
    void aConsistencyProofBetweenTwoCheckpointsVerifies() {
        TreeHead before = CheckpointSigner.open(as(TestIdentity.AUDITOR).signCheckpoint(SignCheckpointRequest.getDefaultInstance())
                .getSignedCheckpoint(), key).orElseThrow();
        as(TestIdentity.OTHER_SERVICE).append(AppendRequest.newBuilder().addAllEvents(IntStream.range(0, 3)
                .mapToObj(n -> AuditEvents.toProto(AuditEvent.builder("executor", AuditAction.TASK_STARTED,
                        Instant.parse("2026-11-24T10:00:00Z").plusSeconds(n)).actor("spiffe://test.example/ci/app").build()))
                .toList()).build());
        as(TestIdentity.AUDITOR).signCheckpoint(SignCheckpointRequest.getDefaultInstance());

        GetConsistencyProofResponse proof = as(TestIdentity.ADMIN).getConsistencyProof(
                GetConsistencyProofRequest.newBuilder().setFromSize(before.size()).build());

        TreeHead after = CheckpointSigner.open(proof.getSignedCheckpoint(), key).orElseThrow();
        assertTrue(after.size() >= before.size() + 3);
        assertTrue(MerkleProofs.verifyConsistency(before.size(), after.size(), hashes(proof.getHashesList()), before.root(),
                after.root()));
        assertFalse(MerkleProofs.verifyConsistency(before.size(), after.size(), hashes(proof.getHashesList()), after.root(),
                after.root()));
    }

    @Test
    void signCheckpointCoversEveryStoredEvent() {
        SignCheckpointResponse signed = as(TestIdentity.AUDITOR).signCheckpoint(SignCheckpointRequest.getDefaultInstance());

        long head = as(TestIdentity.AUDITOR).verify(VerifyRequest.getDefaultInstance()).getChecked();
        assertEquals(head, signed.getTreeSize());
        assertEquals(head, CheckpointSigner.open(signed.getSignedCheckpoint(), key).orElseThrow().size());
    }

    @Test
    void aTreeSizeBeyondTheLogIsOutOfRange() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getInclusionProof(GetInclusionProofRequest.newBuilder().setSequence(1).setTreeSize(1_000_000).build()));

        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
        assertEquals("TREE_SIZE_BEYOND_LOG", unpack(e, ErrorInfo.class).getReason());
    }

    @Test
    void aSequenceBeyondTheTreeSizeIsOutOfRange() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getInclusionProof(GetInclusionProofRequest.newBuilder().setSequence(11).setTreeSize(10).build()));

        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
        assertEquals("SEQUENCE_BEYOND_TREE", unpack(e, ErrorInfo.class).getReason());
    }

    @Test
    void sequenceZeroIsAnInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getInclusionProof(GetInclusionProofRequest.newBuilder().setSequence(0).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("sequence", unpack(e, BadRequest.class).getFieldViolations(0).getField());
    }

    @Test
    void aMalformedEventIdIsAnInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getInclusionProof(GetInclusionProofRequest.newBuilder().setEventId("not-a-uuid").build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("event_id", unpack(e, BadRequest.class).getFieldViolations(0).getField());
    }

    @Test
    void anUnknownEventIdIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getInclusionProof(GetInclusionProofRequest.newBuilder().setEventId("00000000-0000-4000-8000-000000000000").build()));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("EVENT_NOT_FOUND", unpack(e, ErrorInfo.class).getReason());
    }

    @Test
    void sizesOutOfOrderAreAnInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFromSize(20).setToSize(10).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("SIZES_OUT_OF_ORDER", unpack(e, ErrorInfo.class).getReason());
    }

    @Test
    void aConsistencyProofToASizeBeyondTheLogIsOutOfRange() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .getConsistencyProof(GetConsistencyProofRequest.newBuilder().setFromSize(10).setToSize(1_000_000).build()));

        assertEquals(Status.Code.OUT_OF_RANGE, e.getStatus().getCode());
        assertEquals("TREE_SIZE_BEYOND_LOG", unpack(e, ErrorInfo.class).getReason());
    }

    private static <T extends com.google.protobuf.Message> T unpack(StatusRuntimeException e, Class<T> type) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(any -> any.is(type)).findFirst().map(any -> {
            try {
                return any.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new AssertionError(ex);
            }
        }).orElseThrow();
    }
}
