package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Fetches the job's OIDC identity token inside GitHub Actions: GET
 * {@code $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD} with {@code Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN}, answered {@code {"value": "<jwt>"}}. HTTPS only (plain HTTP
 * only to a loopback address, for tests), bounded by a timeout. Neither the request token nor the
 * identity token ever appears in a message. Immutable.
 */
public final class GitHubActionsIdTokens {
    public static final String URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL";
    public static final String TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final String PERMISSION_HINT = "does the workflow (or job) grant `permissions: id-token: write`?";

    private final Duration timeout;

    public GitHubActionsIdTokens(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /**
     * The identity token for {@code audience}.
     *
     * @throws IllegalStateException saying what failed and what to do, quoting neither token
     */
    public IdToken fetch(String requestUrl, String requestToken, String audience) {
        requireNonNull(requestUrl, "requestUrl is null");
        requireNonNull(requestToken, "requestToken is null");
        requireNonNull(audience, "audience is null");
        if (audience.isBlank()) {
            throw new IllegalStateException("--id-token-audience is empty: give the audience the gateway's OIDC issuer"
                    + " expects (portcullis.oidc.issuers.NAME.audience, docs/oidc.md)");
        }
        URI uri = uri(requestUrl, audience);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", "bearer " + requestToken)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException("GitHub's identity token endpoint (" + URL_VARIABLE + ") did not answer within "
                    + timeout.toSeconds() + " s: retry the job");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach GitHub's identity token endpoint (" + URL_VARIABLE + "): "
                    + e.getClass().getSimpleName() + ": retry the job");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the identity token from GitHub");
        }
        if (response.statusCode() != 200) {
            String hint = response.statusCode() == 401 || response.statusCode() == 403 ? PERMISSION_HINT : "retry the job";
            throw new IllegalStateException("GitHub's identity token endpoint (" + URL_VARIABLE + ") answered HTTP "
                    + response.statusCode() + ": " + hint);
        }
        return IdToken.of(value(response.body()), "the token GitHub Actions issued for audience " + audience);
    }

    private static String value(byte[] body) {
        String notJson = "GitHub's identity token endpoint (" + URL_VARIABLE + ") answered something other than"
                + " {\"value\": \"<jwt>\"}: check that " + URL_VARIABLE + " is the one GitHub Actions set";
        if (body.length > MAX_ANSWER_BYTES) {
            throw new IllegalStateException(notJson);
        }
        Struct.Builder answer = Struct.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), answer);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new IllegalStateException(notJson);
        }
        Value value = answer.getFieldsMap().get("value");
        if (value == null || value.getKindCase() != Value.KindCase.STRING_VALUE) {
            throw new IllegalStateException(notJson);
        }
        return value.getStringValue();
    }

    private static URI uri(String requestUrl, String audience) {
        String badUrl = URL_VARIABLE + " is not an https URL: it is set by GitHub Actions; do not set it yourself";
        URI uri;
        try {
            uri = URI.create(requestUrl + (requestUrl.contains("?") ? "&" : "?") + "audience="
                    + URLEncoder.encode(audience, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(badUrl);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && loopback(uri.getHost()))) {
            throw new IllegalStateException(badUrl);
        }
        return uri;
    }

    /** Whether {@code host} is "localhost" or a loopback address literal; decided without a name lookup. */
    private static boolean loopback(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
