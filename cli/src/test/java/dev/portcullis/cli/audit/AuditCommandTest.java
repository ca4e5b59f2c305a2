package dev.portcullis.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.cli.dev.DevModeOptions;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
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
        DevPki pki = dev.pki();
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + dev.ports().get("audit"), TlsChannelCredentials.newBuilder()
                .keyManager(pki.certFile("gateway").toFile(), pki.keyFile("gateway").toFile())
                .trustManager(pki.caFile().toFile()).build()).build();
        try {
            AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).append(AppendRequest.newBuilder()
                    .addAllEvents(IntStream.range(0, 30).mapToObj(n -> AuditEvents.toProto(AuditEvent.builder("gateway",
                            AuditAction.RUN_SUBMITTED, Instant.parse("2026-11-24T09:00:00Z").plusSeconds(n))
                            .actor("spiffe://portcullis.dev/ci/dev/example").build())).toList())
                    .build());
        } finally {
            channel.shutdownNow();
        }
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

    private int verifyOffline(Path file) {
        return run("audit", "verify", "--offline", file.toString(), "--key",
                dir.resolve("data/audit/checkpoint.pub").toString());
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
    void queryPrintsEventsAsJsonLines() {
        int status = run("audit", "query", "--json", "--limit", "3", "--action", "run.submitted");

        assertEquals(0, status, out.toString());
        assertEquals(3, out.toString().lines().filter(line -> line.startsWith("{\"event\"")).count(), out.toString());
    }

    @Test
    void alertsListShowsTheAlertsRaised() {
        int status = run("alerts", "list");

        // the thirty run.submitted events came from an identity never seen before
        assertEquals(0, status, out.toString());
        assertTrue(out.toString().contains("new_caller"), out.toString());
    }
}
