package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import dev.portcullis.console.api.CallRefusedException;
import dev.portcullis.console.api.GatewayCalls;
import dev.portcullis.console.signin.IdToken;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.PemFiles;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode's console against the real services: a human signs in at the dev identity provider by
 * picking who they are; the whole log's export verifies offline; a CI job's token forwarded by the
 * console is refused by the gateway's own verifier.
 */
class DevConsoleTest {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

    @TempDir
    Path dir;

    @Test
    void theDevApproverSignsInAtTheDevIdentityProviderAndTheGatewayActsForThem() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")).withBasePort(0))) {
            HttpClient http = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(dev.pki().caFile()))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            String console = dev.consoleUrl().toString();

            HttpResponse<String> signedIn = signedIn(http, dev, "approver");

            String session = cookie(signedIn, "__Host-portcullis-session");
            HttpResponse<String> runs = get(http, console + "/runs", session);

            assertEquals(200, signedIn.statusCode(), signedIn.body());
            assertTrue(signedIn.body().contains("Signed in as <strong>Dev approver</strong>"), signedIn.body());
            assertEquals(200, runs.statusCode(), runs.body()); // the gateway took the approver's token from its delegate
            assertTrue(Files.readString(dev.envFile()).contains(console), "dev.env names the console");
        }
    }

    @Test
    void theDevConsoleSpoolsItsRefusalsAuditEventsUnderTheDataDirectory() {
        Path data = dir.resolve("data");

        try (DevMode dev = DevMode.start(DevModeOptions.in(data).withBasePort(0))) {
            assertTrue(Files.isDirectory(data.resolve("spool").resolve("console")), "no spool in DATA_DIR/spool/console");
        }
    }

    @Test
    void theConsolesExportOfTheWholeLogVerifiesOfflineWithNoEventUncovered() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")).withBasePort(0))) {
            HttpClient http = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(dev.pki().caFile()))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            String console = dev.consoleUrl().toString();
            String session = signIn(http, dev, "auditor");
            HttpResponse<String> integrity = get(http, console + "/audit/integrity", session);
            Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(integrity.body());
            assertTrue(csrf.find(), integrity.body());
            Path export = dir.resolve("console-export.jsonl");

            HttpResponse<Path> download = http.send(HttpRequest.newBuilder(URI.create(console + "/audit/export/log"))
                    .timeout(Duration.ofSeconds(60)).header("Cookie", session).header("Origin", console)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofFile(export));
            CliRun cli = new CliRun();
            int status = cli.execute("audit", "verify", "--offline", export.toString(), "--key",
                    dir.resolve("data/audit/checkpoint.pub").toString(), "--checkpoint-dir", dir.resolve("saved").toString());

            assertEquals(200, download.statusCode());
            List<String> lines = Files.readAllLines(export);
            assertTrue(lines.get(lines.size() - 1).startsWith("{\"signedCheckpoint\""), lines.get(lines.size() - 1));
            assertTrue(lines.size() > 1, "the export holds the log's events");
            assertEquals(0, status, cli.out() + cli.err());
            assertTrue(cli.out().contains("INTACT") && cli.out().contains("uncovered events:    0\n"), cli.out());
        }
    }

    @Test
    void aCiJobsTokenTheConsoleForwardsToApproveIsRefusedByTheGatewaysVerifier() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")).withBasePort(0))) {
            String ciToken = Files.readString(DevMode.ciTokenFile(dir.resolve("data").toAbsolutePath())).strip();
            DevPki pki = dev.pki();
            // the console's own channel: its certificate, the delegate the dev gateway trusts
            ManagedChannel asConsole = Grpc.newChannelBuilder("localhost:" + dev.ports().get("gateway"), TlsChannelCredentials.newBuilder()
                    .keyManager(pki.certFile("console").toFile(), pki.keyFile("console").toFile()).trustManager(pki.caFile().toFile())
                    .build()).build();
            try {
                GatewayCalls calls = new GatewayCalls(asConsole, Duration.ofSeconds(10));

                CallRefusedException refused = assertThrows(CallRefusedException.class, () -> calls.approve(
                        new IdToken(ciToken, Instant.now().plus(Duration.ofHours(1))), UUID.randomUUID().toString(), "", "from CI"));

                assertEquals("PERMISSION_DENIED", refused.code(), refused.getMessage());
                assertEquals("USER_TOKEN_REQUIRED", refused.reason(), refused.getMessage());
            } finally {
                asConsole.shutdownNow();
            }
        }
    }

    /** Signs in at dev mode's console as dev user {@code user}; returns the session cookie ({@code NAME=VALUE}). */
    private static String signIn(HttpClient http, DevMode dev, String user) throws Exception {
        return cookie(signedIn(http, dev, user), "__Host-portcullis-session");
    }

    /** Signs in at dev mode's console as dev user {@code user}: the console's answer to the provider's redirect back. */
    private static HttpResponse<String> signedIn(HttpClient http, DevMode dev, String user) throws Exception {
        String console = dev.consoleUrl().toString();
        HttpResponse<String> toSignIn = get(http, console + "/runs", "");
        HttpResponse<String> toProvider = get(http, console + location(toSignIn), "");
        String signInCookie = cookie(toProvider, "__Host-portcullis-signin");
        HttpResponse<String> picker = get(http, location(toProvider), "");
        List<String> form = new ArrayList<>();
        Matcher hidden = HIDDEN.matcher(picker.body());
        while (hidden.find()) {
            form.add(hidden.group(1) + "=" + URLEncoder.encode(hidden.group(2).replace("&amp;", "&"), StandardCharsets.UTF_8));
        }
        form.add("user=" + user);
        HttpResponse<String> back = http.send(HttpRequest.newBuilder(URI.create(dev.signIn().url() + "/authorize"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.stream().collect(Collectors.joining("&")))).build(),
                HttpResponse.BodyHandlers.ofString());
        return get(http, location(back), signInCookie);
    }

    private static HttpResponse<String> get(HttpClient http, String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError(response.statusCode() + " " + response.body()));
    }

    private static String cookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).map(c -> c.split(";", 2)[0])
                .findFirst().orElseThrow();
    }
}
