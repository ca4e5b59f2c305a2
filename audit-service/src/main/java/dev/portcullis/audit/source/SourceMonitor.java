package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's view of the outside sources, and the silence watch: a cut-off feed is itself
 * suspicious, so a watched source that delivers nothing for longer than its max silence is
 * recorded as {@code source.silent} (and the {@code source_silent} rule alerts on it). Thread-safe.
 */
public final class SourceMonitor {
    private final Sources sources;
    private final SourceCounters counters;
    private final AuditIngest ingest;
    private final Clock clock;

    /** Registers every configured source with the store, so its silence counts from now. */
    public SourceMonitor(Sources sources, SourceCounters counters, AuditIngest ingest, Clock clock) {
        this.sources = requireNonNull(sources, "sources is null");
        this.counters = requireNonNull(counters, "counters is null");
        this.ingest = requireNonNull(ingest, "ingest is null");
        this.clock = requireNonNull(clock, "clock is null");
        Instant now = clock.instant();
        sources.all().forEach(source -> counters.register(source.name(), now));
    }

    /** Every configured source with its activity, in configuration order. Blocks on the store. */
    public List<SourceStatus> statuses() {
        Instant now = clock.instant();
        Map<SourceName, SourceActivity> byName = counters.all().stream()
                .collect(Collectors.toMap(SourceActivity::source, Function.identity()));
        List<SourceStatus> statuses = new ArrayList<>();
        for (Source source : sources.all()) {
            SourceActivity seen = byName.getOrDefault(source.name(), SourceActivity.none(source.name(), now));
            statuses.add(new SourceStatus(source, seen, silent(source, seen, now)));
        }
        return statuses;
    }

    /**
     * Records {@code source.silent} for every watched source silent for longer than its max
     * silence: once per silent stretch (the event id is derived from the source and the start of
     * its silence, so repeated checks, and other replicas, add nothing). Blocks on the store.
     *
     * @return the sources newly reported silent
     */
    public List<SourceName> checkSilence() {
        Instant now = clock.instant();
        List<AuditEvent> silent = new ArrayList<>();
        for (SourceStatus status : statuses()) {
            if (!status.silent()) {
                continue;
            }
            Source source = status.source();
            Instant since = status.activity().silentSince();
            String identity = "portcullis-source-silent\0" + source.name().value() + "\0" + since.toEpochMilli();
            silent.add(AuditEvent.builder("audit", AuditAction.SOURCE_SILENT, now)
                    .eventId(UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)))
                    .resource(new AuditResource("source", source.name().value(), "", ""))
                    .outcome(AuditOutcome.FAILURE)
                    .reason("SOURCE_SILENT")
                    .attributes(Map.of(
                            "source", source.name().value(),
                            "last_delivery", status.activity().lastDeliveryTime().map(Instant::toString).orElse("never"),
                            "silent_since", since.toString(),
                            "max_silence", source.maxSilence().toString()))
                    .build());
        }
        if (silent.isEmpty()) {
            return List.of();
        }
        return ingest.append(silent).stored().stream()
                .map(stored -> new SourceName(stored.event().resource().id())).toList();
    }

    private static boolean silent(Source source, SourceActivity seen, Instant now) {
        return source.watchedFor()
                .map(max -> Duration.between(seen.silentSince(), now).compareTo(max) > 0)
                .orElse(false);
    }
}
