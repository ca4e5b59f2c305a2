package dev.portcullis.console.testing;

import dev.portcullis.runtime.pki.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A minimal browser for tests: keeps cookies per host (as Set-Cookie sets them), sends them back,
 * follows redirects on request, and records every URL it visited and every body it read, so a
 * test can say what never appeared in either. Trusts only the test CA.
 */
public final class Browser {
    private final HttpClient http;
    private final Map<String, Map<String, String>> cookies = new LinkedHashMap<>();
    private final List<String> visited = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private final List<String> setCookies = new ArrayList<>();

    public Browser(Path caFile) {
        this.http = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(caFile)).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** GET {@code url} without following a redirect. */
    public HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** GET {@code url} and follow redirects (to any host) to the end. */
    public HttpResponse<String> follow(String url) {
        HttpResponse<String> response = get(url);
        for (int i = 0; i < 10 && response.statusCode() / 100 == 3; i++) {
            response = get(response.uri().resolve(response.headers().firstValue("Location").orElseThrow()).toString());
        }
        return response;
    }

    /** POST {@code form} to {@code url} as a form of page {@code origin} would. */
    public HttpResponse<String> post(String url, String origin, Map<String, String> form) {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!origin.isEmpty()) {
            request.header("Origin", origin);
        }
        return send(request);
    }

    /** Every Set-Cookie header received, as sent. */
    public List<String> setCookies() {
        return List.copyOf(setCookies);
    }

    /** Every URL requested, redirects included. */
    public List<String> visited() {
        return List.copyOf(visited);
    }

    /** Every response body read. */
    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    /** The value of cookie {@code name} this browser holds for {@code url}'s host and port. */
    public java.util.Optional<String> cookie(String url, String name) {
        URI uri = URI.create(url);
        return java.util.Optional.ofNullable(cookies.getOrDefault(uri.getHost() + ":" + uri.getPort(), Map.of()).get(name));
    }

    /** Replaces cookie {@code name} for {@code url}'s host and port, as a hostile page or user could. */
    public void putCookie(String url, String name, String value) {
        URI uri = URI.create(url);
        cookies.computeIfAbsent(uri.getHost() + ":" + uri.getPort(), key -> new LinkedHashMap<>()).put(name, value);
    }

    /** Forgets the cookies of {@code host}. */
    public void clearCookies(String host) {
        cookies.remove(host);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        String host = built.uri().getHost() + ":" + built.uri().getPort();
        Map<String, String> jar = cookies.getOrDefault(host, Map.of());
        HttpRequest withCookies = jar.isEmpty() ? built : HttpRequest.newBuilder(built, (name, value) -> true)
                .header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")))
                .build();
        visited.add(built.uri().toString());
        HttpResponse<String> response;
        try {
            response = http.send(withCookies, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        bodies.add(response.body());
        for (String header : response.headers().allValues("Set-Cookie")) {
            setCookies.add(header);
            String pair = header.split(";", 2)[0];
            int equals = pair.indexOf('=');
            String name = pair.substring(0, equals);
            String value = pair.substring(equals + 1);
            Map<String, String> hostJar = cookies.computeIfAbsent(host, key -> new LinkedHashMap<>());
            if (value.isEmpty() || header.contains("Max-Age=0")) {
                hostJar.remove(name);
            } else {
                hostJar.put(name, value);
            }
        }
        return response;
    }
}
