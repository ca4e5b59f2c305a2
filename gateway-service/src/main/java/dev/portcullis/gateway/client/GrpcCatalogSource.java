package dev.portcullis.gateway.client;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.gateway.drift.CatalogSource;
import dev.portcullis.v1.GetCatalogRequest;
import dev.portcullis.v1.GetCatalogResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CatalogSource} over gRPC: the catalog the policy service decides by
 * ({@code GetCatalog}, with a deadline), read with the same {@link CatalogLoader}. The gateway
 * asks the service that decides rather than read a file of its own, so the drift targets it
 * checks are always those of the catalog that decides the checks, reloads included. A version
 * already read is not parsed again. Thread-safe.
 */
public final class GrpcCatalogSource implements CatalogSource {
    private static final Logger log = LoggerFactory.getLogger(GrpcCatalogSource.class);

    private final PolicyServiceGrpc.PolicyServiceBlockingStub stub;
    private final Duration timeout;
    private final CatalogLoader loader = new CatalogLoader();
    private volatile Catalog last; // the newest catalog read; null before the first

    public GrpcCatalogSource(Channel channel, Duration timeout) {
        this.stub = PolicyServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public Optional<Catalog> current() {
        GetCatalogResponse response;
        try {
            response = stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getCatalog(GetCatalogRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            log.atWarn().addKeyValue("status", e.getStatus().getCode().name()).log("drift.catalog_unavailable");
            return Optional.empty();
        }
        Catalog known = last;
        if (known != null && known.version().value().equals(response.getVersion())) {
            return Optional.of(known);
        }
        try {
            Catalog read = loader.load("catalog.yaml", response.getContent().getBytes(StandardCharsets.UTF_8));
            last = read;
            return Optional.of(read);
        } catch (CatalogRejectedException e) {
            // the policy service loaded it with the same loader: a human must look at why they disagree
            log.atError().addKeyValue("catalog_version", response.getVersion())
                    .addKeyValue("problems", e.problems().size()).log("drift.catalog_refused");
            return Optional.empty();
        }
    }
}
