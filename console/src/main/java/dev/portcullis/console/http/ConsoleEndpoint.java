package dev.portcullis.console.http;

import static java.util.Objects.requireNonNull;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Head;
import io.micronaut.http.annotation.Options;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import java.util.concurrent.CompletableFuture;

/**
 * Every request Micronaut's server reads, whatever its path and method, handed to the console's
 * own routing ({@link ConsoleHttpServer#answer}) on the event loop that read it; the answer comes
 * back later from a page thread or an event stream's thread. One catch-all, so the pages stay
 * plain {@link Route}s and unknown paths and methods get the console's own 404 and 405.
 */
@Controller
@Requires(property = ConsoleHttpServer.SERVING_PROPERTY, value = "true")
final class ConsoleEndpoint {
    private static final byte[] NO_BODY = new byte[0];
    private final ConsoleHttpServer server;

    ConsoleEndpoint(ConsoleHttpServer server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Get(uris = {"/", "/{+path}"}, consumes = MediaType.ALL, produces = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> get(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }

    @Head(uris = {"/", "/{+path}"})
    CompletableFuture<MutableHttpResponse<?>> head(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }

    @Post(uris = {"/", "/{+path}"}, consumes = MediaType.ALL, produces = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> post(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return server.answer(request, body == null ? NO_BODY : body);
    }

    @Put(uris = {"/", "/{+path}"}, consumes = MediaType.ALL, produces = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> put(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }

    @Patch(uris = {"/", "/{+path}"}, consumes = MediaType.ALL, produces = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> patch(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }

    @Delete(uris = {"/", "/{+path}"}, consumes = MediaType.ALL, produces = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> delete(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }

    @Options(uris = {"/", "/{+path}"}, consumes = MediaType.ALL)
    CompletableFuture<MutableHttpResponse<?>> options(HttpRequest<?> request) {
        return server.answer(request, NO_BODY);
    }
}
