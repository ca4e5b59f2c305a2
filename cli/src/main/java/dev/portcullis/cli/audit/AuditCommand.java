package dev.portcullis.cli.audit;

import dev.portcullis.audit.api.ExportFormat;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.SignedNote;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.cli.call.ConnectionOptions;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.command.FileArguments;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.SignCheckpointRequest;
import dev.portcullis.v1.SignCheckpointResponse;
import dev.portcullis.v1.Source;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portcullis audit}: query, export and verify the audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Queries, exports and verifies the audit log (auditor or admin identity).",
            "The service address and certificate come from PORTCULLIS_AUDIT_ADDR and PORTCULLIS_{CA,CERT,KEY}_FILE."},
        subcommands = {AuditCommand.Query.class, AuditCommand.Export.class, AuditCommand.Verify.class,
            AuditProveCommand.class, AuditConsistencyCommand.class,
            AuditCommand.Sources.class, AuditCommand.Key.class})
public final class AuditCommand {

    /** Where the audit service is and who we are. */
    static final class Connection {
        @Option(names = "--audit-addr", paramLabel = "HOST:PORT", defaultValue = "${env:PORTCULLIS_AUDIT_ADDR}",
                description = "The audit service (default: $PORTCULLIS_AUDIT_ADDR).")
        String address;

        @Mixin
        ConnectionOptions tls;

        ManagedChannel open() {
            return tls.open("audit", address);
        }
    }

    /** {@code portcullis audit query}. */
    @Command(name = "query", mixinStandardHelpOptions = true, description = "Prints matching events, newest first.")
    static final class Query implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--actor", paramLabel = "SPIFFE_ID", description = "Only events of this identity.") String actor;
        @Option(names = "--action", paramLabel = "ACTION", split = ",", description = "Dotted action names, e.g. auth.failed,policy.denied.")
        List<String> actions = List.of();
        @Option(names = "--repo", paramLabel = "NAME", description = "Only events about this repository.") String repo;
        @Option(names = "--run", paramLabel = "RUN", description = "Only events of this run.") String runId;
        @Option(names = "--trace", paramLabel = "TRACE_ID", description = "Only events of this trace (32 hex).") String traceId;
        @Option(names = "--since", paramLabel = "INSTANT", description = "ISO-8601 instant.") String since;
        @Option(names = "--until", paramLabel = "INSTANT", description = "ISO-8601 instant.") String until;
        @Option(names = "--oldest-first", description = "Oldest first instead of newest first.") boolean oldestFirst;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many events (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--json", description = "JSON lines instead of a table.") boolean json;

        @Override
        public Integer call() throws IOException {
            QueryRequest.Builder request = QueryRequest.newBuilder().setLimit(limit).setBatched(true)
                    .setOrder(oldestFirst ? QueryOrder.QUERY_ORDER_OLDEST_FIRST : QueryOrder.QUERY_ORDER_NEWEST_FIRST);
            if (actor != null) {
                request.setActor(actor);
            }
            for (String name : actions) {
                AuditAction action = AuditAction.byDottedName(name).orElseThrow(() -> new ParameterException(
                        spec.commandLine(), "--action: unknown action '" + name + "'"));
                request.addActions(dev.portcullis.v1.AuditAction.valueOf("AUDIT_ACTION_" + action.name()));
            }
            if (repo != null) {
                request.setRepo(repo);
            }
            if (runId != null) {
                request.setRunId(runId);
            }
            if (traceId != null) {
                request.setTraceId(traceId);
            }
            if (since != null) {
                request.setFromTime(timestamp(instant("--since", since)));
            }
            if (until != null) {
                request.setToTime(timestamp(instant("--until", until)));
            }
            PrintWriter out = spec.commandLine().getOut();
            ManagedChannel channel = connection.open();
            try {
                Iterator<QueryResponse> results = AuditServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(60, TimeUnit.SECONDS).query(request.build());
                results.hasNext(); // makes the call: a failed one throws here, before the table header
                if (!json) {
                    out.printf("%-8s %-24s %-22s %-8s %-45s %s%n", "SEQ", "TIME", "ACTION", "OUTCOME", "ACTOR", "RESOURCE");
                }
                while (results.hasNext()) {
                    for (ChainedEvent event : events(results.next())) {
                        if (json) {
                            ExportFormat.writeEvent(out, event);
                        } else {
                            var e = event.getEvent();
                            out.printf("%-8d %-24s %-22s %-8s %-45s %s%n", event.getSequence(),
                                    Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos()),
                                    AuditAction.valueOf(e.getAction().name().substring("AUDIT_ACTION_".length())).dottedName(),
                                    e.getOutcome().name().substring("AUDIT_OUTCOME_".length()).toLowerCase(), e.getActor(),
                                    e.getResource().getKind() + ":" + e.getResource().getId());
                        }
                    }
                }
                out.flush();
                return ExitStatus.SUCCESS.code();
            } finally {
                channel.shutdownNow();
            }
        }

        private Instant instant(String option, String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), option + ": not an ISO-8601 instant, e.g. 2026-11-24T09:00:00Z");
            }
        }
    }

    /**
     * The events of one {@code Query} message: its batch, or, from an audit service older than
     * batched answers (which ignores {@code batched}), its one event.
     */
    static List<ChainedEvent> events(QueryResponse response) {
        @SuppressWarnings("deprecation") // read only to understand a service that predates batches
        List<ChainedEvent> single = response.hasEvent() ? List.of(response.getEvent()) : List.of();
        return response.getEventsCount() > 0 ? response.getEventsList() : single;
    }

    /** {@code portcullis audit export --out FILE}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes the whole log, oldest first, and a checkpoint of its last event signed for it, as JSON lines.")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--out", paramLabel = "FILE", required = true,
                description = "The file to write (replaced only once the whole export is written).")
        Path out;

        @Override
        public Integer call() throws IOException {
            FileArguments.newFile(spec, "--out", out);
            ManagedChannel channel = connection.open();
            long events = 0;
            // written beside the target and moved into place at the end: a refused or broken export
            // leaves no file, and never half of one where a previous export was
            Path partial = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".", ".partial");
            try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                var stub = AuditServiceGrpc.newBlockingStub(channel);
                // a checkpoint of the head is signed first; the export holds exactly the events it
                // covers and ends with it, so nothing in the file goes unsigned
                SignCheckpointResponse checkpoint = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                        .signCheckpoint(SignCheckpointRequest.getDefaultInstance());
                long last = checkpoint.getTreeSize();
                String cursor = "";
                while (events < last) {
                    Iterator<QueryResponse> page = stub.withDeadlineAfter(300, TimeUnit.SECONDS).query(QueryRequest.newBuilder()
                            .setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setLimit(10_000).setCursor(cursor).setBatched(true)
                            .build());
                    int count = 0;
                    while (page.hasNext()) {
                        QueryResponse response = page.next();
                        for (ChainedEvent event : events(response)) {
                            count++;
                            // events stored after the checkpoint are left for the next export
                            if (event.getSequence() <= last) {
                                ExportFormat.writeEvent(writer, event);
                                events++;
                            }
                        }
                        cursor = response.getCursor();
                    }
                    if (count < 10_000) {
                        break;
                    }
                }
                ExportFormat.writeSignedCheckpoint(writer, checkpoint.getSignedCheckpoint());
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            } finally {
                channel.shutdownNow();
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getOut().printf("exported %d events to %s%n", events, out);
            spec.commandLine().getOut().flush();
            return ExitStatus.SUCCESS.code();
        }
    }

    /** The audit service's checkpoint public key and the auditor's saved checkpoints. */
    static final class Trust {
        @Option(names = "--key", paramLabel = "PUB", defaultValue = "${env:PORTCULLIS_AUDIT_KEY_FILE}",
                description = "The audit service's checkpoint public key (PEM; default: $PORTCULLIS_AUDIT_KEY_FILE).")
        Path key;

        @Option(names = "--checkpoint-dir", paramLabel = "DIR",
                description = "Where verified checkpoints are saved, one file per log (default: $PORTCULLIS_AUDIT_CHECKPOINT_DIR,"
                        + " else $XDG_CONFIG_HOME/portcullis/audit, else ~/.config/portcullis/audit).")
        Path checkpointDir;

        Optional<PublicKey> publicKey(CommandSpec spec) {
            if (key == null) {
                return Optional.empty();
            }
            FileArguments.existingFile(spec, "--key", key);
            return Optional.of(CheckpointSigner.readPublicKey(key));
        }

        PublicKey requiredKey(CommandSpec spec, String why) {
            return publicKey(spec).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "--key (or PORTCULLIS_AUDIT_KEY_FILE) is required " + why));
        }

        CheckpointFiles saved() {
            return new CheckpointFiles(checkpointDir != null ? checkpointDir : CheckpointFiles.defaultDirectory());
        }
    }

    /** {@code portcullis audit verify [--offline FILE] [--key PUB]}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verifies the hash chain, the Merkle tree and its signed checkpoints; exit 0 INTACT, 6 TAMPERED.",
                "With --offline, verifies an export file with the audit service's public key, without the service.",
                "With a key, also proves the log extends the checkpoint this auditor saved last time, and saves the newest."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Mixin
        Trust trust;

        @Option(names = "--offline", paramLabel = "FILE", description = "An export from `portcullis audit export`.")
        Path offline;

        @Option(names = "--max-uncovered", paramLabel = "N", defaultValue = "0",
                description = "Offline: fail when more than N events come after the export's newest valid checkpoint"
                        + " (default: ${DEFAULT-VALUE}; an export ends with a checkpoint of its last event).")
        long maxUncovered;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (maxUncovered < 0) {
                throw new ParameterException(spec.commandLine(), "--max-uncovered must not be negative");
            }
            return offline != null ? verifyOffline(out) : verifyOnline(out);
        }

        private int verifyOffline(PrintWriter out) throws IOException {
            FileArguments.existingFile(spec, "--offline", offline);
            PublicKey key = trust.requiredKey(spec, "with --offline: the audit service's public key file");
            ExportFormat.Export export;
            try (BufferedReader in = Files.newBufferedReader(offline, StandardCharsets.UTF_8)) {
                export = ExportFormat.read(in);
            }
            VerificationReport report = ExportFormat.verify(export, key);
            Optional<String> note = report.latestTreeCheckpoint().map(SignedCheckpoint::note);
            boolean intact = print(out, report.intact(), report.checked(), report.firstBrokenSequence(), report.problem(),
                    report.latestTreeCheckpoint().map(SignedCheckpoint::size)
                            .orElse(report.latestCheckpoint().map(c -> c.sequence()).orElse(0L)),
                    report.missingAfterCheckpoint(), report.uncovered());
            if (intact && report.uncovered() > maxUncovered) {
                out.println("FAILED: " + report.uncovered() + " event(s) are covered by no checkpoint (--max-uncovered "
                        + maxUncovered + ")");
                intact = false;
            }
            intact &= againstSaved(out, key, intact ? note : Optional.empty(), saved -> LogConsistency.offline(export, saved));
            out.flush();
            return (intact ? ExitStatus.SUCCESS : ExitStatus.TAMPERED).code();
        }

        private int verifyOnline(PrintWriter out) {
            Optional<PublicKey> key = trust.publicKey(spec);
            ManagedChannel channel = connection.open();
            try {
                var stub = AuditServiceGrpc.newBlockingStub(channel);
                VerifyResponse report = stub.withDeadlineAfter(600, TimeUnit.SECONDS).verify(VerifyRequest.getDefaultInstance());
                long newest = report.getLatestSignedCheckpoint().isEmpty() ? report.getLatestCheckpoint().getSequence()
                        : TreeHead.parse(SignedNote.parse(report.getLatestSignedCheckpoint()).text()).size();
                boolean intact = print(out, report.getIntact(), report.getChecked(), report.getFirstBrokenSequence(),
                        report.getProblem(), newest, report.getMissingAfterCheckpoint(), report.getUncovered());
                if (key.isEmpty()) {
                    out.println("  saved checkpoint:    not checked (no --key or PORTCULLIS_AUDIT_KEY_FILE)");
                } else {
                    Optional<String> note = report.getLatestSignedCheckpoint().isEmpty() || !intact ? Optional.empty()
                            : Optional.of(report.getLatestSignedCheckpoint());
                    Optional<TreeHead> current = note.flatMap(n -> CheckpointSigner.open(n, key.get()));
                    if (note.isPresent() && current.isEmpty()) {
                        out.println("TAMPERED: the service's newest checkpoint does not verify with " + trust.key);
                        intact = false;
                    }
                    intact &= againstSaved(out, key.get(), current.isPresent() ? note : Optional.empty(),
                            saved -> LogConsistency.online(stub, saved, current.orElseThrow()));
                }
                out.flush();
                return (intact ? ExitStatus.SUCCESS : ExitStatus.TAMPERED).code();
            } finally {
                channel.shutdownNow();
            }
        }

        /**
         * Proves the log extends the checkpoint saved last time, then saves {@code newest} (a
         * verified note) when it covers more; false when the log does not extend the saved one.
         */
        private boolean againstSaved(PrintWriter out, PublicKey key, Optional<String> newest,
                java.util.function.Function<TreeHead, LogConsistency> check) {
            CheckpointFiles files = trust.saved();
            Optional<String> savedNote = files.read(key);
            Optional<TreeHead> saved = savedNote.flatMap(note -> CheckpointSigner.open(note, key));
            if (savedNote.isPresent() && saved.isEmpty()) {
                out.println("TAMPERED: the saved checkpoint " + files.fileFor(key) + " does not verify with the key");
                return false;
            }
            if (saved.isPresent() && newest.isPresent()) {
                LogConsistency consistency = check.apply(saved.get());
                out.println("  saved checkpoint:    " + (consistency.consistent() ? "consistent: " : "INCONSISTENT: ")
                        + consistency.detail());
                if (!consistency.consistent()) {
                    out.println("TAMPERED: the log no longer extends the checkpoint saved in " + files.fileFor(key));
                    return false;
                }
            } else if (saved.isEmpty()) {
                out.println("  saved checkpoint:    none yet (first verification of this log from here)");
            }
            if (newest.isPresent()) {
                TreeHead head = CheckpointSigner.open(newest.get(), key).orElseThrow();
                if (files.saveIfNewer(key, newest.get(), head, saved)) {
                    out.println("  saved:               checkpoint of " + head.size() + " events to " + files.fileFor(key));
                }
            }
            return true;
        }

        private static boolean print(PrintWriter out, boolean intact, long checked, long broken, String problem, long checkpoint,
                long missing, long uncovered) {
            out.println(intact ? "INTACT" : "TAMPERED: the chain, its Merkle tree or a signed checkpoint is broken");
            out.println("  events checked:      " + checked);
            out.println("  newest checkpoint:   " + (checkpoint == 0 ? "none" : checkpoint + " events"));
            out.println("  uncovered events:    " + uncovered + (uncovered == 0 ? "" : " (after the newest valid checkpoint; no signature covers them)"));
            if (!intact) {
                out.println("  first broken at:     " + broken);
                out.println("  problem:             " + problem);
                if (missing > 0) {
                    out.println("  missing after checkpoint: " + missing);
                }
            }
            return intact;
        }
    }

    /** {@code portcullis audit key [--key PUB]}: the checkpoint key as a C2SP verifier key. */
    @Command(name = "key", mixinStandardHelpOptions = true,
            description = {"Prints the audit service's checkpoint public key in the C2SP signed-note verifier-key form,",
                "ORIGIN+KEYHASH+BASE64, the form C2SP verifiers and tlog-witness witnesses are configured with."})
    static final class Key implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--key", paramLabel = "PUB", defaultValue = "${env:PORTCULLIS_AUDIT_KEY_FILE}",
                description = "The audit service's checkpoint public key (PEM; default: $PORTCULLIS_AUDIT_KEY_FILE).")
        Path key;

        @Override
        public Integer call() {
            if (key == null) {
                throw new ParameterException(spec.commandLine(), "--key (or PORTCULLIS_AUDIT_KEY_FILE) is required");
            }
            FileArguments.existingFile(spec, "--key", key);
            spec.commandLine().getOut().println(CheckpointSigner.verifierKey(CheckpointSigner.readPublicKey(key)));
            spec.commandLine().getOut().flush();
            return ExitStatus.SUCCESS.code();
        }
    }

    /** {@code portcullis audit sources}. */
    @Command(name = "sources", mixinStandardHelpOptions = true,
            description = {"Lists the outside sources (GitHub, GitLab, CI servers) feeding the audit log,",
                "with their newest delivery, refusal counts and whether they have gone silent."})
    static final class Sources implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Override
        public Integer call() {
            ManagedChannel channel = connection.open();
            try {
                ListSourcesResponse listed = AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listSources(ListSourcesRequest.getDefaultInstance());
                PrintWriter out = spec.commandLine().getOut();
                out.println("listener: " + (listed.getListenerEnabled() ? "on" : "off (portcullis.audit.sources.port unset)"));
                out.printf("%-24s %-8s %-24s %10s %9s %-24s %-10s %s%n", "SOURCE", "KIND", "LAST DELIVERY", "DELIVERIES",
                        "REFUSALS", "LAST REFUSAL", "MAX SILENCE", "STATE");
                for (Source source : listed.getSourcesList()) {
                    out.printf("%-24s %-8s %-24s %10d %9d %-24s %-10s %s%n", source.getName(),
                            source.getKind().name().substring("SOURCE_KIND_".length()).toLowerCase(),
                            source.hasLastDeliveryTime() ? instant(source.getLastDeliveryTime()) : "never",
                            source.getDeliveries(), source.getRefusals(),
                            source.hasLastRefusalTime() ? source.getLastRefusalReason() : "-",
                            source.hasMaxSilence() ? java.time.Duration.ofSeconds(source.getMaxSilence().getSeconds(),
                                    source.getMaxSilence().getNanos()).toString().substring(2).toLowerCase() : "-",
                            source.getSilent() ? "SILENT" : "ok");
                }
                out.flush();
                // a silent feed is an operational problem a script should notice
                return (listed.getSourcesList().stream().anyMatch(Source::getSilent) ? ExitStatus.UNHEALTHY : ExitStatus.SUCCESS)
                        .code();
            } finally {
                channel.shutdownNow();
            }
        }

        private static String instant(com.google.protobuf.Timestamp time) {
            return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
        }
    }

    private static com.google.protobuf.Timestamp timestamp(Instant instant) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

}
