package dev.portcullis.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.api.ChainedEvents;
import dev.portcullis.audit.api.ExportFormat;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.CompactRange;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditExportRecord;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.cli.CliRun;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.cli.dev.DevModeOptions;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.pki.DevPki;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis audit export|verify|query} against dev mode, and offline verification of tampered exports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCommandTest {
    @TempDir
    static Path dir;

    private DevMode dev;
    private Path export;

    @BeforeAll
    void suiteWithThirtyEvents() throws Exception {
        dev = DevMode.start(DevModeOptions.in(dir.resolve("data")));
        appendEvents(30, "example", Instant.parse("2026-11-24T09:00:00Z"));
        // sign the head now, as an operator would before an export, so the checkpoint covers all
        dev.service("audit").context().getBean(dev.portcullis.audit.ingest.AuditIngest.class).checkpointHead();
        export = dir.resolve("audit.jsonl");
        assertEquals(0, run("audit", "export", "--out", export.toString()));
    }

    @AfterAll
    void stop() {
        dev.close();
    }

    private final StringWriter out = new StringWriter();

    private int run(String... command) {
        out.getBuffer().setLength(0);
        DevPki pki = dev.pki();
        List<String> args = new ArrayList<>(List.of(command));
        if (!args.contains("--offline")) {
            args.addAll(List.of("--audit-addr", "localhost:" + dev.ports().get("audit"),
                    "--ca-file", pki.caFile().toString(),
                    "--cert-file", pki.certFile("auditor").toString(), "--key-file", pki.keyFile("auditor").toString()));
        }
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        return cli.execute(args.toArray(String[]::new));
    }

    private final java.util.concurrent.atomic.AtomicInteger checkpointDirs = new java.util.concurrent.atomic.AtomicInteger();

    /** Verifies offline with a checkpoint directory of its own, so no earlier verification is compared. */
    private int verifyOffline(Path file) {
        return verifyOffline(file, dir.resolve("saved-" + checkpointDirs.incrementAndGet()));
    }

    private int verifyOffline(Path file, Path checkpointDir, String... more) {
        List<String> args = new ArrayList<>(List.of("audit", "verify", "--offline", file.toString(), "--key", publicKey().toString(),
                "--checkpoint-dir", checkpointDir.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private static Path publicKey() {
        return dir.resolve("data/audit/checkpoint.pub");
    }

    private Path tampered(String name, java.util.function.UnaryOperator<List<String>> change) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, change.apply(new ArrayList<>(Files.readAllLines(export))));
        return file;
    }

    @Test
    void aRefusedExportLeavesNoFile() throws Exception {
        Path refused = dir.resolve("refused.jsonl");
        DevPki pki = dev.pki();
        CliRun cli = new CliRun();

        int status = cli.execute("audit", "export", "--out", refused.toString(), "--audit-addr", "localhost:" + dev.ports().get("audit"),
                "--ca-file", pki.caFile().toString(), "--cert-file", pki.certFile("ci").toString(), "--key-file", pki.keyFile("ci").toString());

        assertEquals(ExitStatus.ERROR.code(), status, cli.err());
        assertTrue(cli.err().contains("PERMISSION_DENIED"), cli.err());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(file -> file.getFileName().toString()).filter(name -> name.contains("refused.jsonl")).toList());
        }
    }

    @Test
    void anUntouchedExportVerifiesOfflineAndTheServiceAgrees() {
        long events;
        try {
            events = Files.readAllLines(export).stream().filter(line -> line.startsWith("{\"event\"")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        assertEquals(0, verifyOffline(export), out.toString());
        assertTrue(events >= 30, "dev mode's own events come on top of the test's 30");
        assertTrue(out.toString().contains("events checked:      " + events), out.toString());
        assertEquals(0, run("audit", "verify"), out.toString());
    }

    @Test
    void alertsListStartsWithAHeaderRow() {
        int status = run("alerts", "list");

        assertEquals(0, status, out.toString());
        assertTrue(out.toString().lines().findFirst().orElse("").matches("SEQ +RAISED +SEVERITY +RULE +SUMMARY"),
                out.toString());
        assertFalse(out.toString().contains("\tat "), out.toString());
    }

    @Test
    void anEditedEventIsTheFirstBrokenSequence() throws Exception {
        Path file = tampered("edited.jsonl", lines -> {
            lines.set(11, lines.get(11).replace("ci/dev/example", "ci/dev/innocent"));
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("first broken at:     12"), out.toString());
    }

    @Test
    void aRemovedEventIsTheFirstBrokenSequence() throws Exception {
        Path file = tampered("removed.jsonl", lines -> {
            lines.remove(6);
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("first broken at:     7"), out.toString());
    }

    @Test
    void anInsertedEventIsTheFirstBrokenSequence() throws Exception {
        Path file = tampered("inserted.jsonl", lines -> {
            lines.add(20, lines.get(19));
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("first broken at:     21"), out.toString());
    }

    @Test
    void aCutOffTailIsCaughtByTheCheckpoint() throws Exception {
        Path file = tampered("cut.jsonl", lines -> {
            String checkpoint = lines.get(lines.size() - 1);
            List<String> kept = new ArrayList<>(lines.subList(0, lines.size() - 6));
            kept.add(checkpoint);
            return kept;
        });

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("missing after checkpoint: 5"), out.toString());
    }

    @Test
    void anExportWithoutItsCheckpointIsTamperedWhenAKeyIsGiven() throws Exception {
        Path file = tampered("unsigned.jsonl", lines -> new ArrayList<>(lines.subList(0, lines.size() - 1)));

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("no signed checkpoint"), out.toString());
        assertTrue(out.toString().contains("uncovered events:    " + (Files.readAllLines(file).size())), out.toString());
    }

    @Test
    void anExportCutAfterEvent20WithItsCheckpointRemovedIsTampered() throws Exception {
        Path file = tampered("cut-unsigned.jsonl", lines -> new ArrayList<>(lines.subList(0, 20)));

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("first broken at:     1"), out.toString());
        assertTrue(out.toString().contains("uncovered events:    20"), out.toString());
    }

    @Test
    void eventsNoCheckpointCoversFailAboveMaxUncovered() throws Exception {
        Path file = exportWithThreeEventsAfterItsCheckpoint();

        int strict = verifyOffline(file);
        String strictOutput = out.toString();
        int lenient = verifyOffline(file, dir.resolve("saved-lenient"), "--max-uncovered", "3");

        assertEquals(ExitStatus.TAMPERED.code(), strict, strictOutput);
        assertTrue(strictOutput.contains("uncovered events:    3"), strictOutput);
        assertTrue(strictOutput.contains("FAILED: 3 event(s) are covered by no checkpoint"), strictOutput);
        assertEquals(0, lenient, out.toString());
    }

    /** The test's export with three later events of the live log appended after its checkpoint line. */
    private Path exportWithThreeEventsAfterItsCheckpoint() throws Exception {
        Path later = dir.resolve("later-" + checkpointDirs.incrementAndGet() + ".jsonl");
        appendEvents(3);
        assertEquals(0, run("audit", "export", "--out", later.toString()), out.toString());
        List<String> original = Files.readAllLines(export);
        List<String> longer = Files.readAllLines(later);
        List<String> lines = new ArrayList<>(longer.subList(0, original.size() - 1 + 3));
        lines.add(original.get(original.size() - 1));
        Path file = dir.resolve("uncovered-" + checkpointDirs.get() + ".jsonl");
        Files.write(file, lines);
        return file;
    }

    private void appendEvents(int count) throws Exception {
        appendEvents(count, "later", Instant.parse("2026-11-24T10:00:00Z"));
    }

    /** Appends {@code count} run.submitted events of {@code spiffe://portcullis.dev/ci/dev/ACTOR}, as the gateway. */
    private void appendEvents(int count, String actor, Instant from) throws Exception {
        DevPki pki = dev.pki();
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + dev.ports().get("audit"), TlsChannelCredentials.newBuilder()
                .keyManager(pki.certFile("gateway").toFile(), pki.keyFile("gateway").toFile())
                .trustManager(pki.caFile().toFile()).build()).build();
        try {
            AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).append(AppendRequest.newBuilder()
                    .addAllEvents(IntStream.range(0, count).mapToObj(n -> AuditEvents.toProto(AuditEvent.builder("gateway",
                            AuditAction.RUN_SUBMITTED, from.plusSeconds(n))
                            .actor("spiffe://portcullis.dev/ci/dev/" + actor).build())).toList())
                    .build());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theExportEndsWithACheckpointOfItsLastEvent() throws Exception {
        List<String> lines = Files.readAllLines(export);
        long events = lines.stream().filter(line -> line.startsWith("{\"event\"")).count();

        String note = signedCheckpointOf(lines.get(lines.size() - 1));

        assertEquals(Long.toString(events), note.split("\n")[1]);
    }

    @Test
    void theExportCheckpointVerifiesWithAnIndependentSignedNoteVerifier() throws Exception {
        List<String> lines = Files.readAllLines(export);
        String note = signedCheckpointOf(lines.get(lines.size() - 1));

        List<String> body = C2spNoteVerifier.open(note, publicKey());

        assertEquals(Long.toString(lines.size() - 1), body.get(1));
        assertTrue(body.get(0).startsWith("portcullis.dev/audit/"), body.get(0));
    }

    @Test
    void theKeyCommandPrintsAVerifierKeyThatVerifiesTheExportCheckpoint() throws Exception {
        List<String> lines = Files.readAllLines(export);
        String note = signedCheckpointOf(lines.get(lines.size() - 1));

        StringWriter printed = new StringWriter();
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(printed));
        int status = cli.execute("audit", "key", "--key", publicKey().toString());
        String verifierKey = printed.toString().strip();

        assertEquals(0, status, printed.toString());
        assertTrue(verifierKey.startsWith(note.substring(0, note.indexOf('\n')) + "+"), verifierKey);
        assertEquals(note.substring(0, note.lastIndexOf("\n\n") + 1), C2spNoteVerifier.openWithVerifierKey(note, verifierKey));
    }

    private static String signedCheckpointOf(String line) throws Exception {
        var record = AuditExportRecord.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(line, record);
        assertTrue(record.hasSignedCheckpoint(), line);
        return record.getSignedCheckpoint();
    }

    @Test
    void verifySavesTheCheckpointAndALaterRunChecksTheLogStillExtendsIt() throws Exception {
        Path saved = dir.resolve("saved-extends");

        int first = verifyOffline(export, saved);
        String firstOutput = out.toString();
        Path later = exportWithThreeEventsAfterItsCheckpoint();
        Path fresh = dir.resolve("fresh-" + checkpointDirs.incrementAndGet() + ".jsonl");
        assertEquals(0, run("audit", "export", "--out", fresh.toString()), out.toString());
        int second = verifyOffline(fresh, saved);

        assertEquals(0, first, firstOutput);
        assertTrue(firstOutput.contains("none yet"), firstOutput);
        assertEquals(0, second, out.toString());
        assertTrue(out.toString().contains("saved checkpoint:    consistent"), out.toString());
        assertTrue(Files.exists(later));
    }

    @Test
    void aTailRewrittenWithAValidChainAndReSignedIsCaughtByTheSavedCheckpoint() throws Exception {
        Path saved = dir.resolve("saved-rewrite");
        assertEquals(0, verifyOffline(export, saved), out.toString());
        Path forged = rewrittenAndReSigned(20);

        int offline = verifyOffline(forged, saved);
        String offlineOutput = out.toString();
        Path savedFile;
        try (var files = Files.list(saved)) {
            savedFile = files.filter(f -> f.toString().endsWith(".checkpoint")).findFirst().orElseThrow();
        }
        int since = run("audit", "consistency", "--since", savedFile.toString(), "--offline", forged.toString(),
                "--key", publicKey().toString());

        assertEquals(ExitStatus.TAMPERED.code(), offline, offlineOutput);
        long size = Files.readAllLines(export).size() - 1;
        assertTrue(offlineOutput.contains("INCONSISTENT: the log does not extend the saved checkpoint of " + size
                + " events: an event at or before sequence " + size), offlineOutput);
        assertEquals(ExitStatus.TAMPERED.code(), since, out.toString());
        assertTrue(out.toString().startsWith("INCONSISTENT"), out.toString());
    }

    /**
     * The export with events from {@code first} on given a new actor, a valid new chain and a
     * checkpoint re-signed with the service's own key: what a thief of database and key could write.
     */
    private Path rewrittenAndReSigned(int first) throws Exception {
        var read = ExportFormat.read(Files.newBufferedReader(export));
        var signer = CheckpointSigner.load(dir.resolve("data/audit/checkpoint.key"), publicKey(), false);
        List<String> lines = new ArrayList<>();
        var range = CompactRange.empty();
        String previous = ChainHash.GENESIS;
        for (var event : read.events()) {
            var content = event.event();
            if (event.sequence() >= first) {
                content = new AuditEvent(content.eventId(), content.time(), content.service(), "spiffe://portcullis.dev/ci/dev/innocent",
                        content.action(), content.resource(), content.outcome(), content.reason(), content.traceId(),
                        content.sourceAddress(), content.attributes());
            }
            String hash = ChainHash.of(previous, event.sequence(), event.storedAt(), content);
            var stored = new StoredEvent(event.sequence(), content, event.storedAt(), previous, hash);
            var writer = new java.io.StringWriter();
            ExportFormat.writeEvent(writer, ChainedEvents.toProto(stored));
            lines.add(writer.toString().strip());
            range.append(MerkleTree.eventLeafHash(hash));
            previous = hash;
        }
        var writer = new java.io.StringWriter();
        ExportFormat.writeSignedCheckpoint(writer,
                signer.signTree(range.size(), range.root(), Instant.parse("2026-11-24T12:00:00Z")).note());
        lines.add(writer.toString().strip());
        Path file = dir.resolve("rewritten-" + checkpointDirs.incrementAndGet() + ".jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void consistencySinceASavedCheckpointHoldsOnline() throws Exception {
        Path saved = dir.resolve("saved-online");
        assertEquals(0, verifyOffline(export, saved), out.toString());
        Path savedFile;
        try (var files = Files.list(saved)) {
            savedFile = files.filter(f -> f.toString().endsWith(".checkpoint")).findFirst().orElseThrow();
        }
        appendEvents(2);
        assertEquals(0, run("audit", "export", "--out", dir.resolve("bump-" + checkpointDirs.incrementAndGet() + ".jsonl").toString()));

        int status = run("audit", "consistency", "--since", savedFile.toString(), "--key", publicKey().toString());

        assertEquals(0, status, out.toString());
        assertTrue(out.toString().startsWith("CONSISTENT"), out.toString());
    }

    @Test
    void onlineVerifyWithAKeySavesTheCheckpointAndProvesTheNextRunExtendsIt() throws Exception {
        Path saved = dir.resolve("saved-online-verify");

        int first = run("audit", "verify", "--key", publicKey().toString(), "--checkpoint-dir", saved.toString());
        String firstOutput = out.toString();
        appendEvents(2);
        assertEquals(0, run("audit", "export", "--out", dir.resolve("bump-" + checkpointDirs.incrementAndGet() + ".jsonl").toString()));
        int second = run("audit", "verify", "--key", publicKey().toString(), "--checkpoint-dir", saved.toString());

        assertEquals(0, first, firstOutput);
        assertTrue(firstOutput.contains("saved:"), firstOutput);
        assertEquals(0, second, out.toString());
        assertTrue(out.toString().contains("saved checkpoint:    consistent"), out.toString());
    }

    @Test
    void proveShowsAnEventIsInTheSignedLog() throws Exception {
        String eventId = eventIdAt(7);

        int status = run("audit", "prove", eventId, "--key", publicKey().toString());

        assertEquals(0, status, out.toString());
        assertTrue(out.toString().startsWith("PROVEN: event " + eventId + " (sequence 7)"), out.toString());
    }

    @Test
    void proveShowsAnEventIsInTheSignedExportOffline() throws Exception {
        String eventId = eventIdAt(9);

        int status = run("audit", "prove", eventId, "--offline", export.toString(), "--key", publicKey().toString());

        assertEquals(0, status, out.toString());
        assertTrue(out.toString().startsWith("PROVEN: event " + eventId + " (sequence 9)"), out.toString());
    }

    @Test
    void proveRefusesAnEditedEventInAnExport() throws Exception {
        String eventId = eventIdAt(12);
        Path file = tampered("prove-edited.jsonl", lines -> {
            lines.set(11, lines.get(11).replace("ci/dev/example", "ci/dev/innocent"));
            return lines;
        });

        int status = run("audit", "prove", eventId, "--offline", file.toString(), "--key", publicKey().toString());

        assertEquals(ExitStatus.TAMPERED.code(), status, out.toString());
        assertTrue(out.toString().contains("first broken at 12"), out.toString());
    }

    @Test
    void proveOfAnUnknownEventIsNotFound() {
        CliRun cli = new CliRun();
        DevPki pki = dev.pki();

        int status = cli.execute("audit", "prove", "00000000-0000-4000-8000-000000000000", "--key", publicKey().toString(),
                "--audit-addr", "localhost:" + dev.ports().get("audit"), "--ca-file", pki.caFile().toString(),
                "--cert-file", pki.certFile("auditor").toString(), "--key-file", pki.keyFile("auditor").toString());

        assertEquals(ExitStatus.ERROR.code(), status, cli.err());
        assertTrue(cli.err().contains("NOT_FOUND") && cli.err().contains("EVENT_NOT_FOUND"), cli.err());
    }

    private String eventIdAt(int line) throws Exception {
        var record = AuditExportRecord.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(Files.readAllLines(export).get(line - 1), record);
        assertEquals(line, record.getEvent().getSequence());
        return record.getEvent().getEvent().getEventId();
    }

    @Test
    void aReorderedPairOfEventsIsTheFirstBrokenSequence() throws Exception {
        Path file = tampered("reordered.jsonl", lines -> {
            String fourteenth = lines.get(13);
            lines.set(13, lines.get(14));
            lines.set(14, fourteenth);
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), verifyOffline(file));
        assertTrue(out.toString().contains("first broken at:     14"), out.toString());
    }

    /** The export's checkpoint as {@code audit verify} saved it. */
    private Path savedCheckpointOfTheExport() throws Exception {
        Path saved = dir.resolve("saved-of-export");
        if (!Files.exists(saved)) {
            assertEquals(0, verifyOffline(export, saved), out.toString());
        }
        try (var files = Files.list(saved)) {
            return files.filter(f -> f.toString().endsWith(".checkpoint")).findFirst().orElseThrow();
        }
    }

    private int consistencySince(Path file) throws Exception {
        return run("audit", "consistency", "--since", savedCheckpointOfTheExport().toString(), "--offline", file.toString(),
                "--key", publicKey().toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointHoldsForTheUntouchedExport() throws Exception {
        assertEquals(0, consistencySince(export), out.toString());
        assertTrue(out.toString().startsWith("CONSISTENT"), out.toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointNamesAnEditedEvent() throws Exception {
        Path file = tampered("since-edited.jsonl", lines -> {
            lines.set(11, lines.get(11).replace("ci/dev/example", "ci/dev/innocent"));
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), consistencySince(file));
        assertTrue(out.toString().startsWith("INCONSISTENT"), out.toString());
        assertTrue(out.toString().contains("first broken at:     12"), out.toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointNamesADeletedEvent() throws Exception {
        Path file = tampered("since-removed.jsonl", lines -> {
            lines.remove(6);
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), consistencySince(file));
        assertTrue(out.toString().contains("first broken at:     7"), out.toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointNamesAnInsertedEvent() throws Exception {
        Path file = tampered("since-inserted.jsonl", lines -> {
            lines.add(20, lines.get(19));
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), consistencySince(file));
        assertTrue(out.toString().contains("first broken at:     21"), out.toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointNamesAReorderedPair() throws Exception {
        Path file = tampered("since-reordered.jsonl", lines -> {
            String fourteenth = lines.get(13);
            lines.set(13, lines.get(14));
            lines.set(14, fourteenth);
            return lines;
        });

        assertEquals(ExitStatus.TAMPERED.code(), consistencySince(file));
        assertTrue(out.toString().contains("first broken at:     14"), out.toString());
    }

    @Test
    void consistencySinceTheSavedCheckpointCatchesACutTailWithoutItsCheckpoint() throws Exception {
        Path file = tampered("since-cut.jsonl", lines -> new ArrayList<>(lines.subList(0, lines.size() - 6)));

        assertEquals(ExitStatus.TAMPERED.code(), consistencySince(file));
        long size = Files.readAllLines(export).size() - 1;
        assertTrue(out.toString().contains("fewer than the " + size + " the saved checkpoint covers"), out.toString());
    }

    @Test
    void queryPrintsEventsAsJsonLines() {
        int status = run("audit", "query", "--json", "--limit", "3", "--action", "run.submitted");

        assertEquals(0, status, out.toString());
        assertEquals(3, out.toString().lines().filter(line -> line.startsWith("{\"event\"")).count(), out.toString());
    }

    @Test
    @SuppressWarnings("deprecation") // how an audit service older than batches answers
    void anAnswerOfAServiceOlderThanBatchesIsReadOneEventAMessage() {
        ChainedEvent event = ChainedEvent.newBuilder().setSequence(7).build();

        List<ChainedEvent> read = AuditCommand.events(QueryResponse.newBuilder().setEvent(event).setCursor("c").build());

        assertEquals(List.of(event), read);
    }

    @Test
    void alertsListShowsTheAlertsRaised() {
        int status = run("alerts", "list");

        // the thirty run.submitted events came from an identity never seen before
        assertEquals(0, status, out.toString());
        assertTrue(out.toString().contains("new_caller"), out.toString());
    }
}
