package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.store.AppendResult;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.error.DomainException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes deliveries from outside sources into the audit chain: checks that the source is known,
 * the request well-formed and within size, the signature right (before the body is parsed), the
 * delivery neither replayed nor too old; maps it to audit events and appends them through the
 * same ingest path as the suite's own {@code Append}, atomically. Every refusal is itself audited
 * ({@code source.delivery_refused}, reason = the {@link Verdict}) and nothing of a refused
 * delivery is stored. Thread-safe.
 */
public final class SourceIntake {
    private static final Logger log = LoggerFactory.getLogger(SourceIntake.class);
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern GITHUB_EVENT = Pattern.compile("[a-z_]{1,64}");
    private static final Pattern GITLAB_EVENT = Pattern.compile("[A-Za-z ]{1,64}");
    private static final String SHA256_PREFIX = "sha256=";

    private final Sources sources;
    private final AuditIngest ingest;
    private final SourceCounters counters;
    private final Supplier<CatalogRepos> catalog;
    private final Duration replayWindow;
    private final Clock clock;

    public SourceIntake(Sources sources, AuditIngest ingest, SourceCounters counters, Supplier<CatalogRepos> catalog,
            Duration replayWindow, Clock clock) {
        this.sources = requireNonNull(sources, "sources is null");
        this.ingest = requireNonNull(ingest, "ingest is null");
        this.counters = requireNonNull(counters, "counters is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.replayWindow = requireNonNull(replayWindow, "replayWindow is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** What a verified delivery claims about itself. */
    private record Claim(String deliveryId, String providerEvent) {}

    /**
     * Judges and, if it passes, stores {@code delivery}. Blocks on the store.
     *
     * @return the verdict; {@link Verdict#UNAVAILABLE} when the store cannot be reached (nothing
     *     stored; the sender should retry)
     */
    public DeliveryOutcome receive(Delivery delivery) {
        Instant now = clock.instant();
        Optional<Source> known = SourceName.parse(delivery.sourceName()).flatMap(sources::byName);
        if (known.isEmpty()) {
            return refuse(Optional.empty(), delivery, Verdict.UNKNOWN_SOURCE, now);
        }
        Source source = known.get();
        if (!delivery.method().equals("POST")) {
            return refuse(known, delivery, Verdict.METHOD_NOT_ALLOWED, now);
        }
        if (delivery.oversized()) {
            return refuse(known, delivery, Verdict.BODY_TOO_LARGE, now);
        }
        String contentType = delivery.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.equals("application/json") && !contentType.startsWith("application/json;")) {
            return refuse(known, delivery, Verdict.UNSUPPORTED_MEDIA_TYPE, now);
        }
        Optional<Verdict> signature = checkSignature(source, delivery);
        if (signature.isPresent()) {
            return refuse(known, delivery, signature.get(), now);
        }
        List<AuditEvent> events;
        try {
            Optional<Claim> claim = claim(source, delivery);
            if (claim.isEmpty()) {
                return refuse(known, delivery, Verdict.DELIVERY_ID_MISSING, now);
            }
            JsonPayload body = JsonPayload.parse(delivery.bodyUnsafe());
            String deliveryId = claim.get().deliveryId();
            Instant time = now;
            if (source.kind() == SourceKind.GENERIC) {
                GenericPayloads.Envelope envelope = GenericPayloads.envelope(body);
                deliveryId = envelope.deliveryId();
                if (Duration.between(envelope.sentAt(), now).abs().compareTo(replayWindow) > 0) {
                    return refuse(known, delivery, Verdict.TOO_OLD, now);
                }
                time = envelope.sentAt();
            }
            SourceEvents out = new SourceEvents(source, deliveryId, claim.get().providerEvent(), now,
                    delivery.remoteAddress(), catalog.get());
            switch (source.kind()) {
                case GITHUB -> GitHubPayloads.map(claim.get().providerEvent(), body, out);
                case GITLAB -> GitLabPayloads.map(claim.get().providerEvent(), body, out);
                case GENERIC -> GenericPayloads.map(body, time, out);
            }
            events = out.events();
        } catch (MalformedPayloadException | IllegalArgumentException e) {
            log.atInfo().addKeyValue("source", source.name().value()).addKeyValue("problem", e.getMessage())
                    .log("audit.source_malformed");
            return refuse(known, delivery, Verdict.MALFORMED, now);
        }
        AppendResult result;
        try {
            result = ingest.append(events);
        } catch (DomainException e) {
            return new DeliveryOutcome(Verdict.UNAVAILABLE, 0);
        }
        if (result.stored().isEmpty()) {
            // every event id of this delivery is in the chain already: it was delivered before
            return refuse(known, delivery, Verdict.REPLAYED, now);
        }
        counters.delivered(source.name(), now);
        return new DeliveryOutcome(Verdict.ACCEPTED, result.stored().size());
    }

    /** Empty when the delivery is signed with the source's secret; the refusal otherwise. */
    private static Optional<Verdict> checkSignature(Source source, Delivery delivery) {
        if (source.kind() == SourceKind.GITLAB) {
            Optional<String> token = delivery.header("X-Gitlab-Token");
            if (token.isEmpty()) {
                return Optional.of(Verdict.SIGNATURE_MISSING);
            }
            return source.secret().matches(token.get()) ? Optional.empty() : Optional.of(Verdict.SIGNATURE_INVALID);
        }
        Optional<String> header = delivery.header(source.kind() == SourceKind.GITHUB ? "X-Hub-Signature-256"
                : "X-Portcullis-Signature");
        if (header.isEmpty()) {
            return Optional.of(Verdict.SIGNATURE_MISSING);
        }
        String value = header.get().strip();
        if (!value.startsWith(SHA256_PREFIX) || value.length() != SHA256_PREFIX.length() + 64) {
            return Optional.of(Verdict.SIGNATURE_INVALID);
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(value.substring(SHA256_PREFIX.length()).toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.of(Verdict.SIGNATURE_INVALID);
        }
        byte[] expected = source.secret().hmacSha256(delivery.bodyUnsafe());
        return java.security.MessageDigest.isEqual(expected, presented) ? Optional.empty()
                : Optional.of(Verdict.SIGNATURE_INVALID);
    }

    /** The delivery id and event name from the headers; the generic kind carries its id in the body. */
    private static Optional<Claim> claim(Source source, Delivery delivery) {
        return switch (source.kind()) {
            case GITHUB -> {
                String event = delivery.header("X-GitHub-Event").orElse("");
                if (!GITHUB_EVENT.matcher(event).matches()) {
                    throw new MalformedPayloadException("X-GitHub-Event is missing or malformed");
                }
                yield delivery.header("X-GitHub-Delivery").filter(id -> DELIVERY_ID.matcher(id).matches())
                        .map(id -> new Claim(id, event));
            }
            case GITLAB -> {
                String event = delivery.header("X-Gitlab-Event").orElse("");
                if (!GITLAB_EVENT.matcher(event).matches()) {
                    throw new MalformedPayloadException("X-Gitlab-Event is missing or malformed");
                }
                yield delivery.header("Idempotency-Key").or(() -> delivery.header("X-Gitlab-Event-UUID"))
                        .filter(id -> DELIVERY_ID.matcher(id).matches()).map(id -> new Claim(id, event));
            }
            case GENERIC -> Optional.of(new Claim("", "generic"));
        };
    }

    private DeliveryOutcome refuse(Optional<Source> source, Delivery delivery, Verdict verdict, Instant now) {
        String name = source.map(s -> s.name().value()).orElse(printable(delivery.sourceName(), 48));
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("source", name);
        attributes.put("method", printable(delivery.method(), 16));
        attributes.put("body_bytes", Integer.toString(delivery.bodyLength()));
        for (String header : List.of("X-GitHub-Delivery", "X-GitHub-Event", "X-Gitlab-Event", "Idempotency-Key",
                "X-Gitlab-Event-UUID")) {
            delivery.header(header).ifPresent(value -> attributes.put(header.toLowerCase(Locale.ROOT), printable(value, 128)));
        }
        attributes.values().removeIf(String::isEmpty);
        AuditEvent refusal = AuditEvent.builder("audit", AuditAction.SOURCE_DELIVERY_REFUSED, now)
                .resource(new AuditResource("source", name, "", ""))
                .outcome(AuditOutcome.DENIED)
                .reason(verdict.name())
                .sourceAddress(printable(delivery.remoteAddress(), 128))
                .attributes(attributes)
                .build();
        try {
            ingest.append(List.of(refusal));
        } catch (DomainException e) {
            log.atWarn().addKeyValue("source", name).addKeyValue("reason", verdict.name()).log("audit.refusal_not_recorded");
        }
        source.ifPresent(s -> counters.refused(s.name(), now, verdict.name()));
        log.atInfo().addKeyValue("source", name).addKeyValue("reason", verdict.name())
                .addKeyValue("source_address", delivery.remoteAddress()).log("audit.source_delivery_refused");
        return new DeliveryOutcome(verdict, 0);
    }

    /** {@code text} cut to {@code max} printable ASCII characters, others as '?'. */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
