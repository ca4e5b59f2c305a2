package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-HTTP listener serving one service's metrics at {@code /metrics} in Prometheus' text
 * format (OpenMetrics when the scraper asks for it), read from an OpenTelemetry
 * {@link PrometheusMetricReader} at each scrape. Unlike the exporter's own
 * {@code PrometheusHttpServer}, it tells where it listens, so port 0 is usable. Serves nothing
 * but {@code /metrics}; one scrape at a time.
 */
final class PrometheusEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0: a free port) and serves {@code reader}.
     *
     * @throws UncheckedIOException naming {@code portcullis.telemetry.prometheus-port} when the
     *     address cannot be bound
     */
    static PrometheusEndpoint start(PrometheusMetricReader reader, String host, int port, String service) {
        requireNonNull(reader, "reader is null");
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(reader);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 8);
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.telemetry.prometheus-port: cannot listen on " + host + ":" + port, e);
        }
        server.createContext("/metrics", new MetricsHandler(registry));
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, service + "-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new PrometheusEndpoint(server, executor);
    }

    /** The address the listener is bound to (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
