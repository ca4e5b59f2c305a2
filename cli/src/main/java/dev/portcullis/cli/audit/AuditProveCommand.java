package dev.portcullis.cli.audit;

import com.google.protobuf.ByteString;
import dev.portcullis.audit.api.ChainedEvents;
import dev.portcullis.audit.api.ExportFormat;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.command.FileArguments;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GetInclusionProofRequest;
import dev.portcullis.v1.GetInclusionProofResponse;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis audit prove EVENT_ID}: proves the event is in the log a signed checkpoint
 * signs, checking the proof, the event's hash and the signature here rather than trusting the
 * service.
 */
@Command(name = "prove", mixinStandardHelpOptions = true,
        description = {"Proves an event is in the log a signed checkpoint signs (RFC 9162 inclusion proof); exit 0 PROVEN,"
            + " 6 NOT PROVEN.", "With --offline, proves it from an export instead of the service."})
final class AuditProveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AuditCommand.Connection connection;

    @Mixin
    AuditCommand.Trust trust;

    @Option(names = "--offline", paramLabel = "FILE", description = "An export from `portcullis audit export`.")
    Path offline;

    @Parameters(paramLabel = "EVENT_ID", description = "The event's id (a UUID).")
    String eventId;

    @Override
    public Integer call() throws IOException {
        PublicKey key = trust.requiredKey(spec, ": the proof is checked against a checkpoint signed with it");
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "EVENT_ID: not a UUID");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean proven = offline != null ? proveOffline(out, key, id) : proveOnline(out, key, id);
        out.flush();
        return (proven ? ExitStatus.SUCCESS : ExitStatus.TAMPERED).code();
    }

    private boolean proveOnline(PrintWriter out, PublicKey key, UUID id) {
        ManagedChannel channel = connection.open();
        try {
            GetInclusionProofResponse proof = AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .getInclusionProof(GetInclusionProofRequest.newBuilder().setEventId(id.toString()).build());
            Optional<TreeHead> head = CheckpointSigner.open(proof.getSignedCheckpoint(), key);
            if (head.isEmpty() || head.get().size() != proof.getTreeSize()) {
                out.println("NOT PROVEN: the checkpoint the service sent does not verify with the key");
                return false;
            }
            return check(out, ChainedEvents.fromProto(proof.getEvent()), id, head.get(),
                    proof.getHashesList().stream().map(ByteString::toByteArray).toList());
        } finally {
            channel.shutdownNow();
        }
    }

    private boolean proveOffline(PrintWriter out, PublicKey key, UUID id) throws IOException {
        FileArguments.existingFile(spec, "--offline", offline);
        ExportFormat.Export export;
        try (BufferedReader in = Files.newBufferedReader(offline, StandardCharsets.UTF_8)) {
            export = ExportFormat.read(in);
        }
        VerificationReport report = ExportFormat.verify(export, key);
        if (!report.intact() || report.latestTreeCheckpoint().isEmpty()) {
            out.println("NOT PROVEN: the export does not verify (" + (report.intact() ? "no signed tree checkpoint"
                    : "first broken at " + report.firstBrokenSequence() + ": " + report.problem()) + ")");
            return false;
        }
        TreeHead head = report.latestTreeCheckpoint().get().head();
        Optional<StoredEvent> event = export.events().stream().filter(e -> e.event().eventId().equals(id)).findFirst();
        if (event.isEmpty() || event.get().sequence() > head.size()) {
            out.println("NOT PROVEN: the export's checkpoint of " + head.size() + " events does not cover event " + id);
            return false;
        }
        List<byte[]> leaves = export.leafHashes(head.size());
        List<byte[]> proof = MerkleTree.inclusionProof(event.get().sequence() - 1, head.size(), MerkleTree.inMemory(leaves));
        return check(out, event.get(), id, head, proof);
    }

    private static boolean check(PrintWriter out, StoredEvent event, UUID id, TreeHead head, List<byte[]> proof) {
        if (!event.event().eventId().equals(id) || !event.hashHolds()) {
            out.println("NOT PROVEN: the event sent does not match its hash");
            return false;
        }
        if (!MerkleProofs.verifyInclusion(event.sequence() - 1, head.size(), MerkleTree.eventLeafHash(event.hash()), proof,
                head.root())) {
            out.println("NOT PROVEN: the inclusion proof of sequence " + event.sequence() + " does not lead to the signed root");
            return false;
        }
        out.println("PROVEN: event " + id + " (sequence " + event.sequence() + ") is in the log of " + head.size()
                + " events signed by " + head.origin());
        out.println("  root: " + head.rootHex());
        return true;
    }
}
