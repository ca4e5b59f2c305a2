package dev.portcullis.cli.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetrySource;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance of issue 8 (traces): one plan through the whole suite is one trace. */
class RunTraceTest {
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final List<OpenTelemetrySdk> sdks = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    /** Each service its own SDK and service.name, all exporting into one in-memory exporter. */
    private final TelemetrySource source = (service, config) -> {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.create(Attributes.of(SERVICE_NAME, "portcullis-" + service)))
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        sdks.add(sdk);
        return Telemetry.of(service, sdk);
    };

    @AfterEach
    void closeSdks() {
        sdks.forEach(OpenTelemetrySdk::close);
    }

    @Test
    void aPlanRunIsOneTraceAcrossAllFourServicesAndItsAuditEventsCarryItsTraceId() throws Exception {
        Run done;
        List<ChainedEvent> audit;
        List<SpanData> trace;
        try (SuiteFixture suite = SuiteFixture.start(dir, Optional.of(source))) {
            Run submitted = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "stage/app", "stage",
                    "plan"));

            done = suite.awaitState(submitted.getRunId(), RunState.RUN_STATE_SUCCEEDED);
            audit = suite.auditOf(done.getRunId(), 5);
            String traceId = done.getTraceId();
            long stamped = audit.stream().filter(e -> e.getEvent().getAttributesMap().containsKey("span_id")).count();
            trace = awaitTrace(traceId, spans -> names(spans).containsAll(Set.of("run.follow", "run.dispatch"))
                    && spans.stream().filter(s -> s.getName().equals("audit.store")).count() >= stamped);
            String caCert = Files.readString(suite.dev.pki().caFile());
            assertNoCertificateOrKeyIn(trace, caCert);
        }

        String traceId = done.getTraceId();
        assertEquals(32, traceId.length());
        assertEquals(Set.of("portcullis-gateway", "portcullis-policy", "portcullis-executor", "portcullis-audit"),
                trace.stream().map(s -> s.getResource().getAttribute(SERVICE_NAME)).collect(Collectors.toSet()),
                "services with spans in the run's trace: " + describe(trace));
        assertTrue(names(trace).containsAll(Set.of("portcullis.v1.GatewayService/SubmitRun",
                "portcullis.v1.PolicyService/Evaluate", "portcullis.v1.ExecutorService/StartTask", "policy.decide",
                "task.start", "run.dispatch", "run.follow", "db.create_run", "db.update_run", "audit.store")),
                describe(trace));

        // parent links: one root (the SubmitRun server span), every other parent is a span of the trace
        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        List<SpanData> roots = trace.stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
        assertEquals(1, roots.size(), "roots: " + describe(roots));
        SpanData submit = roots.get(0);
        assertEquals("portcullis.v1.GatewayService/SubmitRun", submit.getName());
        assertEquals(SpanKind.SERVER, submit.getKind());
        for (SpanData span : trace) {
            if (span != submit) {
                assertTrue(byId.containsKey(span.getParentSpanId()),
                        span.getName() + " has a parent outside the trace: " + describe(trace));
            }
        }
        SpanData dispatch = only(trace, "run.dispatch", "portcullis-gateway", SpanKind.INTERNAL);
        assertEquals(submit.getSpanId(), dispatch.getParentSpanId(), "the driver continues the submitting span");
        assertEquals(submit.getSpanId(), only(trace, "run.follow", "portcullis-gateway", SpanKind.INTERNAL).getParentSpanId());
        SpanData startServer = only(trace, "portcullis.v1.ExecutorService/StartTask", "portcullis-executor", SpanKind.SERVER);
        SpanData startClient = byId.get(startServer.getParentSpanId());
        assertEquals("portcullis-gateway", startClient.getResource().getAttribute(SERVICE_NAME));
        assertEquals(SpanKind.CLIENT, startClient.getKind());
        assertEquals(dispatch.getSpanId(), startClient.getParentSpanId(), "the task starts inside the dispatch span");
        assertEquals(startServer.getSpanId(), only(trace, "task.start", "portcullis-executor", SpanKind.INTERNAL)
                .getParentSpanId());
        List<SpanData> evaluations = trace.stream().filter(s -> s.getName().equals("portcullis.v1.PolicyService/Evaluate")
                && s.getKind() == SpanKind.SERVER).toList();
        assertEquals(2, evaluations.size(), "decided at submit and again at dequeue: " + describe(trace));
        Set<String> evaluationCallers = evaluations.stream()
                .map(s -> byId.get(s.getParentSpanId()))
                .peek(client -> assertEquals(SpanKind.CLIENT, client.getKind()))
                .map(SpanData::getParentSpanId).collect(Collectors.toSet());
        assertEquals(Set.of(submit.getSpanId(), dispatch.getSpanId()), evaluationCallers);
        for (SpanData decide : trace.stream().filter(s -> s.getName().equals("policy.decide")).toList()) {
            assertEquals("ALLOW", decide.getAttributes().get(AttributeKey.stringKey("portcullis.decision")));
            assertFalse(decide.getAttributes().get(AttributeKey.stringKey("portcullis.catalog_version")).isEmpty());
            assertEquals("example rule 0", decide.getAttributes().get(AttributeKey.stringKey("portcullis.rule")));
            assertEquals(SpanKind.SERVER, byId.get(decide.getParentSpanId()).getKind());
        }
        assertEquals("SUCCEEDED", only(trace, "run.follow", "portcullis-gateway", SpanKind.INTERNAL).getAttributes()
                .get(AttributeKey.stringKey("portcullis.run_state")));

        // every audit event of the run carries the run's trace id, and the audit service's spans hang off theirs
        assertTrue(audit.size() >= 5, audit.toString());
        for (ChainedEvent event : audit) {
            assertEquals(traceId, event.getEvent().getTraceId(), event.toString());
        }
        for (SpanData store : trace.stream().filter(s -> s.getName().equals("audit.store")).toList()) {
            assertEquals("portcullis-audit", store.getResource().getAttribute(SERVICE_NAME));
            assertEquals(done.getRunId(), store.getAttributes().get(AttributeKey.stringKey("portcullis.run_id")));
        }
    }

    private List<SpanData> awaitTrace(String traceId, Predicate<List<SpanData>> complete) {
        AtomicReference<List<SpanData>> trace = new AtomicReference<>(List.of());
        await("the trace " + traceId).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            trace.set(spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList());
            assertTrue(complete.test(trace.get()), () -> "the trace " + traceId + " did not complete: " + describe(trace.get()));
        });
        return trace.get();
    }

    private static void assertNoCertificateOrKeyIn(List<SpanData> trace, String caCert) {
        String body = caCert.lines().filter(l -> !l.startsWith("-----")).collect(Collectors.joining());
        for (SpanData span : trace) {
            span.getAttributes().forEach((key, value) -> {
                String text = String.valueOf(value);
                assertFalse(text.contains("-----BEGIN") || text.contains(body.substring(0, 40)),
                        span.getName() + " attribute " + key + " holds certificate or key material");
            });
        }
    }

    private static SpanData only(List<SpanData> trace, String name, String service, SpanKind kind) {
        List<SpanData> found = trace.stream().filter(s -> s.getName().equals(name) && s.getKind() == kind
                && service.equals(s.getResource().getAttribute(SERVICE_NAME))).toList();
        assertEquals(1, found.size(), name + " in " + service + ": " + describe(trace));
        return found.get(0);
    }

    private static Set<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).collect(Collectors.toSet());
    }

    private static String describe(List<SpanData> spans) {
        List<String> lines = new ArrayList<>();
        for (SpanData s : spans) {
            lines.add(s.getResource().getAttribute(SERVICE_NAME) + " " + s.getKind() + " " + s.getName() + " "
                    + s.getSpanId() + " <- " + s.getParentSpanId());
        }
        return "\n" + String.join("\n", lines);
    }
}
