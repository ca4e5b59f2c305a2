package dev.portcullis.gateway.server;

import dev.portcullis.gateway.approval.ConsoleUrl;
import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the gateway finds its neighbours, as "host:port", or several separated by commas for the
 * replicas of one neighbour (calls go round those connected: see {@code ServiceChannels#open}).
 * The host (the first one's, for a list) must be a name or address in the neighbour's server
 * certificate. Every key is documented in docs/configuration.md.
 *
 * @param policyAddress the policy service
 * @param executorAddress the executor service
 * @param auditAddress the audit service
 * @param callTimeout deadline of every call to a neighbour
 * @param consoleUrl where browsers reach the web console (its {@code public-url}); unset: approval
 *     announcements link no console page
 */
@ConfigurationProperties("portcullis.gateway")
public record GatewayConfig(
        @Nullable String policyAddress,
        @Nullable String executorAddress,
        @Nullable String auditAddress,
        @Bindable(defaultValue = "5s") @PositiveDuration Duration callTimeout,
        @Nullable String consoleUrl) {

    private static final Pattern HOST_PORT =
            Pattern.compile("(?:[A-Za-z0-9.\\-]{1,253}|\\[[0-9A-Fa-f:]{2,39}]):([0-9]{1,5})");

    public GatewayConfig {
        requireAddress("portcullis.gateway.policy-address", policyAddress);
        requireAddress("portcullis.gateway.executor-address", executorAddress);
        requireAddress("portcullis.gateway.audit-address", auditAddress);
        console(consoleUrl);
    }

    /** The web console, when {@code portcullis.gateway.console-url} is set. */
    public Optional<ConsoleUrl> console() {
        return console(consoleUrl);
    }

    private static Optional<ConsoleUrl> console(String url) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ConsoleUrl(new URI(url.strip())));
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not quoted: a mistaken value may hold anything
            throw new IllegalArgumentException("portcullis.gateway.console-url must be the console's https URL with a host "
                    + "and no path, query or user information (e.g. https://portcullis.example.com)");
        }
    }

    private static void requireAddress(String property, String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException(property + " is required, as host:port (e.g. localhost:7444)");
        }
        for (String each : address.split(",", -1)) {
            Matcher matcher = HOST_PORT.matcher(each.strip());
            int port = matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(property + " must be host:port with a port from 1 to 65535, or several "
                        + "separated by commas (e.g. localhost:7444 or localhost:7444,localhost:7448)");
            }
        }
    }
}
