package dev.portcullis.policy.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.policy.catalog.ActiveCatalog;
import dev.portcullis.policy.catalog.LoadedCatalog;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.v1.CatalogProblem;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.GetCatalogRequest;
import dev.portcullis.v1.GetCatalogResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.ValidateCatalogRequest;
import dev.portcullis.v1.ValidateCatalogResponse;
import io.grpc.stub.StreamObserver;
import java.util.Map;

/** gRPC adapter of {@code portcullis.v1.PolicyService}. Callers are authorised by the transport. */
public final class PolicyGrpcService extends PolicyServiceGrpc.PolicyServiceImplBase {
    private final PolicyEngine engine;
    private final Telemetry telemetry;
    private final ActiveCatalog catalogs;
    private final CatalogLoader loader;

    public PolicyGrpcService(PolicyEngine engine, ActiveCatalog catalogs, CatalogLoader loader) {
        this(engine, catalogs, loader, Telemetry.disabled("policy"));
    }

    /** As above, each decision in a {@code policy.decide} span (decision, rule, catalog version). */
    public PolicyGrpcService(PolicyEngine engine, ActiveCatalog catalogs, CatalogLoader loader, Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.catalogs = requireNonNull(catalogs, "catalogs is null");
        this.loader = requireNonNull(loader, "loader is null");
    }

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
        try {
            var parsed = EvaluationRequests.parse(request);
            var decision = telemetry.inSpan("policy.decide", Map.of("portcullis.repo", request.getRepo(),
                    "portcullis.command", request.getCommand(), "portcullis.environment", request.getEnvironment()), () -> {
                        var decided = engine.evaluate(parsed);
                        Telemetry.annotate(Map.of("portcullis.decision", decided.outcome().name(),
                                "portcullis.catalog_version", decided.catalogVersion().value(),
                                "portcullis.rule", decided.matchedRule().map(m -> m.repo().value() + " rule " + m.rule().index())
                                        .orElse("")));
                        return decided;
                    });
            response.onNext(EvaluateResponse.newBuilder().setDecision(Decisions.toProto(decision)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void getCatalog(GetCatalogRequest request, StreamObserver<GetCatalogResponse> response) {
        LoadedCatalog loaded = catalogs.current();
        response.onNext(GetCatalogResponse.newBuilder()
                .setVersion(loaded.catalog().version().value())
                .setLoadedAt(Timestamp.newBuilder()
                        .setSeconds(loaded.loadedAt().getEpochSecond())
                        .setNanos(loaded.loadedAt().getNano()))
                .setContent(loaded.catalog().content())
                .build());
        response.onCompleted();
    }

    @Override
    public void validateCatalog(ValidateCatalogRequest request, StreamObserver<ValidateCatalogResponse> response) {
        try {
            byte[] content = request.getContentBytes().toByteArray();
            if (content.length > CatalogLoader.MAX_BYTES) {
                throw new DomainException(DomainException.Kind.TOO_LARGE, "REQUEST_TOO_LARGE",
                        "a catalog may be at most " + CatalogLoader.MAX_BYTES + " bytes",
                        Map.of("max_bytes", String.valueOf(CatalogLoader.MAX_BYTES)));
            }
            ValidateCatalogResponse.Builder result = ValidateCatalogResponse.newBuilder()
                    .setVersion(CatalogLoader.digest(content).value());
            try {
                loader.load("candidate", content);
                result.setValid(true);
            } catch (CatalogRejectedException e) {
                e.problems().forEach(problem -> result.addProblems(CatalogProblem.newBuilder()
                        .setLine(problem.location().line())
                        .setColumn(problem.location().column())
                        .setField(problem.field())
                        .setMessage(problem.message())));
            }
            response.onNext(result.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

}
