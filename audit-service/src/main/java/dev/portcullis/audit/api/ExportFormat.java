package dev.portcullis.audit.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.ChainVerifier;
import dev.portcullis.audit.chain.CompactRange;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.SignedNote;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.v1.AuditExportRecord;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The audit export: JSON lines, each an {@code AuditExportRecord} in protobuf's canonical JSON
 * mapping; events oldest first, then a signed checkpoint of the last one. Verifiable offline with
 * the audit service's public key alone.
 */
public final class ExportFormat {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ExportFormat() {}

    /** An export as read, not yet judged. */
    public record Export(List<StoredEvent> events, List<dev.portcullis.audit.chain.Checkpoint> chainCheckpoints,
            List<SignedCheckpoint> treeCheckpoints) {
        public Export {
            events = List.copyOf(events);
            chainCheckpoints = List.copyOf(chainCheckpoints);
            treeCheckpoints = treeCheckpoints.stream().sorted(Comparator.comparingLong(SignedCheckpoint::size)).toList();
        }

        /** The newest sequence in the file; 0 when it holds no events. */
        public long newestSequence() {
            return events.stream().mapToLong(StoredEvent::sequence).max().orElse(0);
        }

        /**
         * The leaf hashes of the first {@code size} events as the file holds them (taken as they
         * are: verify first).
         */
        public List<byte[]> leafHashes(long size) {
            return events.stream().limit(size).map(event -> MerkleTree.eventLeafHash(event.hash())).toList();
        }

        /** The root of the tree of the first {@code size} events as the file holds them. */
        public byte[] root(long size) {
            CompactRange range = CompactRange.empty();
            events.stream().limit(size).forEach(event -> range.append(MerkleTree.eventLeafHash(event.hash())));
            return range.root();
        }
    }

    public static void writeEvent(Writer out, ChainedEvent event) throws IOException {
        out.write(PRINTER.print(AuditExportRecord.newBuilder().setEvent(event).build()));
        out.write('\n');
    }

    public static void writeCheckpoint(Writer out, Checkpoint checkpoint) throws IOException {
        out.write(PRINTER.print(AuditExportRecord.newBuilder().setCheckpoint(checkpoint).build()));
        out.write('\n');
    }

    /** Writes a signed tree checkpoint (a C2SP signed note). */
    public static void writeSignedCheckpoint(Writer out, String note) throws IOException {
        out.write(PRINTER.print(AuditExportRecord.newBuilder().setSignedCheckpoint(note).build()));
        out.write('\n');
    }

    /**
     * Reads an export.
     *
     * @throws IllegalArgumentException naming the line when the file is not an export
     */
    public static Export read(BufferedReader in) throws IOException {
        List<StoredEvent> events = new ArrayList<>();
        List<dev.portcullis.audit.chain.Checkpoint> chainCheckpoints = new ArrayList<>();
        List<SignedCheckpoint> treeCheckpoints = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            AuditExportRecord.Builder record = AuditExportRecord.newBuilder();
            try {
                PARSER.merge(line, record);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("line " + number + " is not an audit export record");
            }
            try {
                switch (record.getRecordCase()) {
                    case EVENT -> events.add(ChainedEvents.fromProto(record.getEvent()));
                    case CHECKPOINT -> chainCheckpoints.add(ChainedEvents.fromProto(record.getCheckpoint()));
                    case SIGNED_CHECKPOINT -> treeCheckpoints.add(new SignedCheckpoint(
                            TreeHead.parse(SignedNote.parse(record.getSignedCheckpoint()).text()), record.getSignedCheckpoint(),
                            Instant.EPOCH));
                    default -> throw new IllegalArgumentException("it holds no record");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + ": " + e.getMessage());
            }
        }
        return new Export(events, chainCheckpoints, treeCheckpoints);
    }

    /**
     * Verifies an export: recomputes every hash from the first event in the file (which must
     * chain from the genesis hash, so exports start at sequence 1) and the Merkle tree, and checks
     * every signed checkpoint's signature and root and that no covered event is missing. Fails
     * closed: an export without a checkpoint that verifies with {@code key} is broken.
     *
     * @throws IllegalArgumentException naming the line when the file is not an export
     */
    public static VerificationReport verify(BufferedReader in, PublicKey key) throws IOException {
        return verify(read(in), key);
    }

    /** As {@link #verify(BufferedReader, PublicKey)}, for an export already read. */
    public static VerificationReport verify(Export export, PublicKey key) {
        ChainVerifier verifier = new ChainVerifier(1, ChainHash.GENESIS)
                .withTree(CompactRange.empty(), export.treeCheckpoints(), key);
        // a chain-head checkpoint of an export written before the tree is still checked
        export.chainCheckpoints().stream().max(Comparator.comparingLong(dev.portcullis.audit.chain.Checkpoint::sequence))
                .ifPresent(verifier::withCheckpoint);
        for (StoredEvent event : export.events()) {
            if (!verifier.accept(event)) {
                break;
            }
        }
        VerificationReport report = verifier.finish(export.newestSequence(), key);
        boolean vouched = report.latestTreeCheckpoint().isPresent() || report.latestCheckpoint().isPresent();
        if (report.intact() && !vouched) {
            return new VerificationReport(false, report.checked(), 1,
                    "the export holds no signed checkpoint: nothing vouches for its events", List.of(), 0, List.of(),
                    report.uncovered());
        }
        return report;
    }
}
