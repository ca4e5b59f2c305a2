package dev.portcullis.console.http;

import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.WebResponse;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The answers Micronaut's server makes itself (a body over the limit sent in chunks, a request it
 * cannot route or read) as the console's own problem page, never Micronaut's JSON error with its
 * message: the status is kept, the text is fixed, so nothing of the failure reaches the browser.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
@Requires(property = ConsoleHttpServer.SERVING_PROPERTY, value = "true")
final class ErrorPages implements ErrorResponseProcessor<byte[]> {

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        int status = response.code();
        WebResponse page = switch (status) {
            case 413 -> Layout.problem(413, Optional.empty(), "Request refused", "The form is too large or not a form.");
            case 404 -> Layout.problem(404, Optional.empty(), "Not found", "There is no such page.");
            case 405 -> Layout.problem(405, Optional.empty(), "Not allowed", "This page does not accept that request.");
            default -> status >= 500
                    ? Layout.problem(status, Optional.empty(), "Something went wrong", "The console failed to answer. Try again.")
                    : Layout.problem(status, Optional.empty(), "Bad request", "The browser sent a request the console cannot read.");
        };
        MutableHttpResponse<byte[]> answer = (MutableHttpResponse<byte[]>) response;
        page.headers().forEach(answer.getHeaders()::set);
        return answer.body(((WebResponse.Body.Bytes) page.body()).bytes());
    }
}
