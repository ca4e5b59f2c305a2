package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.catalog.RepoUrl;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Collects the audit events one verified delivery becomes. Every event is written by service
 * {@code source:NAME} and carries the attributes {@code source}, {@code delivery_id} and
 * {@code provider_event}. Event ids are derived from the source, the delivery id and the event's
 * place in the delivery, so the same delivery sent again yields the same ids, which the chain
 * stores once: that is how a replay is recognised, persistently and across replicas. Attribute
 * values are cut to what an audit event holds. Not thread-safe; one per delivery.
 */
final class SourceEvents {
    static final int MAX_EVENTS = 100;

    private final Source source;
    private final String deliveryId;
    private final String providerEvent;
    private final Instant receivedAt;
    private final String remoteAddress;
    private final CatalogRepos catalog;
    private final List<AuditEvent> events = new ArrayList<>();

    SourceEvents(Source source, String deliveryId, String providerEvent, Instant receivedAt, String remoteAddress,
            CatalogRepos catalog) {
        this.source = requireNonNull(source, "source is null");
        this.deliveryId = requireNonNull(deliveryId, "deliveryId is null");
        this.providerEvent = requireNonNull(providerEvent, "providerEvent is null");
        this.receivedAt = requireNonNull(receivedAt, "receivedAt is null");
        this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
    }

    /** Starts the next event of the delivery. */
    Draft add(AuditAction action) {
        if (!action.reportableBySource()) {
            throw new MalformedPayloadException("action " + action.dottedName() + " cannot come from an outside source");
        }
        if (events.size() >= MAX_EVENTS) {
            throw new MalformedPayloadException("a delivery may carry at most " + MAX_EVENTS + " events");
        }
        return new Draft(action, events.size());
    }

    List<AuditEvent> events() {
        return List.copyOf(events);
    }

    Source source() {
        return source;
    }

    /** The id of event {@code index} of delivery {@code deliveryId} from {@code source}. */
    static UUID eventId(SourceName source, String deliveryId, int index) {
        return UUID.nameUUIDFromBytes(("portcullis-source\0" + source.value() + "\0" + deliveryId + "\0" + index)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** One event being described. */
    final class Draft {
        private final AuditAction action;
        private final int index;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private Instant time = receivedAt;
        private String actor = "";
        private AuditResource resource = AuditResource.NONE;
        private AuditOutcome outcome = AuditOutcome.SUCCESS;
        private String reason = "";
        private String sourceAddress = remoteAddress;

        private Draft(AuditAction action, int index) {
            this.action = action;
            this.index = index;
        }

        Draft actor(String provider, String login) {
            this.actor = login.isEmpty() ? "" : cut(provider + ":" + login, 2048);
            return this;
        }

        Draft time(Instant time) {
            this.time = time;
            return this;
        }

        Draft outcome(AuditOutcome outcome) {
            this.outcome = outcome;
            return this;
        }

        Draft reason(String reason) {
            this.reason = reason;
            return this;
        }

        Draft sourceAddress(String address) {
            this.sourceAddress = cut(address, 128);
            return this;
        }

        Draft resource(String kind, String id) {
            this.resource = new AuditResource(cut(kind, 64), cut(id, 256), resource.repo(), "");
            return this;
        }

        /**
         * The repository the event concerns: {@code fullName} as the forge names it, located by the
         * first non-empty of {@code urls}. When the catalog names the repository, the event's repo
         * is the catalog's name for it, so it lines up with the suite's own events.
         */
        Draft repository(String fullName, String... urls) {
            Optional<RepoUrl> url = Optional.empty();
            for (String candidate : urls) {
                if (!candidate.isBlank()) {
                    try {
                        url = Optional.of(RepoUrl.of(candidate));
                        break;
                    } catch (IllegalArgumentException e) {
                        // a URL we cannot read locates nothing; try the next
                    }
                }
            }
            String repo = url.flatMap(catalog::byUrl).map(CatalogRepos.Repo::name).orElse(fullName);
            this.resource = new AuditResource("repository", cut(fullName, 256), cut(repo, 100), "");
            url.ifPresent(u -> {
                attribute("repo_url", u.value());
                attribute("catalog_repo", Boolean.toString(catalog.byUrl(u).isPresent()));
            });
            return this;
        }

        /** Sets attribute {@code key} unless {@code value} is empty; long values are cut. */
        Draft attribute(String key, String value) {
            if (!value.isEmpty() && attributes.size() < AuditEvent.MAX_ATTRIBUTES - 4) {
                attributes.put(key, cut(value, AuditEvent.MAX_VALUE));
            }
            return this;
        }

        /** Adds the event to the delivery's. */
        void add() {
            Map<String, String> all = new LinkedHashMap<>(attributes);
            all.put("source", source.name().value());
            all.put("delivery_id", deliveryId);
            all.put("provider_event", cut(providerEvent, 128));
            events.add(AuditEvent.builder(source.name().service(), action, time)
                    .eventId(eventId(source.name(), deliveryId, index))
                    .actor(actor).resource(resource).outcome(outcome).reason(reason)
                    .sourceAddress(sourceAddress).attributes(all).build());
        }
    }

    static String cut(String value, int max) {
        if (value.length() <= max) {
            return value;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + "…";
    }
}
