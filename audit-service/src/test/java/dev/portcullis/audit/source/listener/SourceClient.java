package dev.portcullis.audit.source.listener;

import dev.portcullis.runtime.pki.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A sender of deliveries, as GitHub, GitLab or a CI server would be: HTTPS to the listener on
 * loopback, trusting the test CA, checking the host name, no client certificate.
 */
final class SourceClient {
    private final HttpClient client;
    private final int port;

    SourceClient(Path caFile, int port) {
        this.port = port;
        this.client = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(caFile)).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts {@code body} to {@code /sources/NAME} with {@code headers} and Content-Type application/json. */
    HttpResponse<String> post(String source, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/sources/" + source))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GitHub delivery of {@code event}, signed with {@code secret}. */
    HttpResponse<String> github(String source, String secret, String event, String deliveryId, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return post(source, Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", deliveryId,
                "X-Hub-Signature-256", hmac(secret, body), "User-Agent", "GitHub-Hookshot/abc123",
                "X-GitHub-Hook-ID", "292430182"), body);
    }

    /** A GitLab delivery of {@code event} carrying {@code token}. */
    HttpResponse<String> gitlab(String source, String token, String event, String uuid, String json) {
        return post(source, Map.of("X-Gitlab-Event", event, "X-Gitlab-Token", token, "X-Gitlab-Event-UUID", uuid,
                "Idempotency-Key", uuid, "X-Gitlab-Instance", "https://gitlab.example.com",
                "User-Agent", "GitLab/17.5.0"), json.getBytes(StandardCharsets.UTF_8));
    }

    /** A generic delivery signed with {@code secret}. */
    HttpResponse<String> generic(String source, String secret, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return post(source, Map.of("X-Portcullis-Signature", hmac(secret, body)), body);
    }
}
