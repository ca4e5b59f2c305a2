package dev.portcullis.runtime.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.PrometheusScrape;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a service's gRPC server and channels record, through {@link Telemetry#serverInterceptor()}
 * and {@link Telemetry#clientInterceptor()}: the families and labels docs/operations.md and the
 * Grafana dashboard name, and one trace across the call.
 */
class GrpcCallTelemetryTest {
    private static final String HEALTH = "grpc.health.v1.Health";

    @Test
    void callsAreCountedByStatusNameAndTimedAtBothEnds() throws Exception {
        try (Telemetry telemetry = TelemetryEnvironment.build("policy", new TelemetryConfig(0, "127.0.0.1"))) {
            call(telemetry, telemetry, "");
            assertThrows(StatusRuntimeException.class, () -> call(telemetry, telemetry, "no.such.Service"));

            Map<String, String> check = Map.of("rpc_service", HEALTH, "rpc_method", "Check");
            // the server records after its call completes, which the caller may see first
            PrometheusScrape scrape = PrometheusScrape.awaitScrape(telemetry.prometheusAddress().orElseThrow(),
                    s -> s.sum("rpc_server_duration_milliseconds_count", check) == 2, Duration.ofSeconds(10));

            assertEquals(1, scrape.sum("rpc_server_calls_total", with(check, "rpc_grpc_status", "OK",
                    "service_name", "portcullis-policy")), scrape.text());
            assertEquals(1, scrape.sum("rpc_server_calls_total", with(check, "rpc_grpc_status", "NOT_FOUND")), scrape.text());
            assertEquals(1, scrape.sum("rpc_server_duration_milliseconds_count", with(check, "rpc_grpc_status_code", "0")),
                    scrape.text());
            assertEquals(1, scrape.sum("rpc_server_duration_milliseconds_count", with(check, "rpc_grpc_status_code", "5")),
                    scrape.text());
            assertEquals(2, scrape.sum("rpc_client_duration_milliseconds_count", check), scrape.text());
        }
    }

    @Test
    void theServerSpanContinuesTheCallersTrace() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        CountDownLatch served = new CountDownLatch(1);
        List<SpanData> finished;
        // closing an SDK empties the exporter: read it first
        try (OpenTelemetrySdk caller = sdk(spans, new CountDownLatch(0)); OpenTelemetrySdk callee = sdk(spans, served)) {
            call(Telemetry.of("gateway", caller), Telemetry.of("policy", callee), "");
            // the server span ends after the call completes, which the caller may see first
            assertTrue(served.await(10, TimeUnit.SECONDS), "the server span did not end");
            finished = spans.getFinishedSpanItems();
        }

        SpanData client = only(finished, SpanKind.CLIENT);
        SpanData server = only(finished, SpanKind.SERVER);
        assertEquals(HEALTH + "/Check", server.getName());
        assertEquals(HEALTH + "/Check", client.getName());
        assertEquals(client.getTraceId(), server.getTraceId());
        assertEquals(client.getSpanId(), server.getParentSpanId());
        for (SpanData span : finished) {
            assertEquals("grpc", span.getAttributes().get(AttributeKey.stringKey("rpc.system")), span.toString());
            assertEquals(HEALTH, span.getAttributes().get(AttributeKey.stringKey("rpc.service")), span.toString());
            assertEquals("Check", span.getAttributes().get(AttributeKey.stringKey("rpc.method")), span.toString());
            assertEquals(0L, span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")), span.toString());
        }
    }

    /** One health check of {@code service} from {@code caller}'s channel to {@code callee}'s server. */
    private static void call(Telemetry caller, Telemetry callee, String service) throws IOException, InterruptedException {
        String name = InProcessServerBuilder.generateName();
        HealthStatusManager health = new HealthStatusManager();
        Server server = InProcessServerBuilder.forName(name).addService(health.getHealthService())
                .intercept(callee.serverInterceptor()).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).intercept(caller.clientInterceptor()).build();
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** An SDK exporting into {@code spans}, counting {@code ended} down as each span has been exported. */
    private static OpenTelemetrySdk sdk(InMemorySpanExporter spans, CountDownLatch ended) {
        SpanProcessor counting = new SpanProcessor() {
            @Override
            public void onStart(Context parent, ReadWriteSpan span) {}

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                ended.countDown();
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }
        };
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SpanProcessor.composite(SimpleSpanProcessor.create(spans), counting)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    private static SpanData only(List<SpanData> spans, SpanKind kind) {
        List<SpanData> found = spans.stream().filter(s -> s.getKind() == kind).toList();
        assertEquals(1, found.size(), spans.toString());
        return found.get(0);
    }

    private static Map<String, String> with(Map<String, String> labels, String... more) {
        var all = new java.util.HashMap<>(labels);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        assertTrue(all.size() == labels.size() + more.length / 2, "no label given twice");
        return Map.copyOf(all);
    }
}
