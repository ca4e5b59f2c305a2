package dev.portcullis.gateway.approval;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.net.URI;

/**
 * Where browsers reach the web console: an absolute {@code https} URL with a host and no path,
 * query, fragment or user information, the console's {@code portcullis.console.public-url}. It
 * names no secret, so a link built from it may go to a chat channel.
 */
public record ConsoleUrl(URI value) {

    /** @throws IllegalArgumentException when the URL is not of that form; the message does not quote it */
    public ConsoleUrl {
        requireNonNull(value, "value is null");
        boolean pathless = value.getRawPath() == null || value.getRawPath().isEmpty() || value.getRawPath().equals("/");
        if (!"https".equalsIgnoreCase(value.getScheme()) || value.getHost() == null || value.getRawUserInfo() != null
                || !pathless || value.getRawQuery() != null || value.getRawFragment() != null) {
            throw new IllegalArgumentException("must be an https URL with a host and no path, query or user information");
        }
    }

    /** The console's page of {@code run}, where an approver approves or rejects it. */
    public URI runPage(RunId run) {
        // the console serves a run at /runs/RUN (console module, RunPages)
        String origin = value.getScheme() + "://" + value.getRawAuthority();
        return URI.create(origin + "/runs/" + run.value());
    }
}
