package dev.portcullis.executor.artifact.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactStoreContract;
import dev.portcullis.executor.artifact.ArtifactUrl;
import dev.portcullis.executor.artifact.ArtifactsConfig;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.S3Fake;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store through the real AWS SDK against {@link S3Fake} on loopback, path-style. */
class S3ArtifactStoreTest extends ArtifactStoreContract {
    private static final String BUCKET = "portcullis-artifacts";
    private static final String PREFIX = "runs/";
    // test values, not credentials: the fake checks the signature's shape, not its key
    private static final StaticCredentialsProvider TEST_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test-access-key", "test-secret-key"));

    private S3Fake fake;
    private S3Client client;
    private S3ArtifactStore store;

    @BeforeEach
    void open() throws Exception {
        fake = new S3Fake(BUCKET);
        ArtifactsConfig config = new ArtifactsConfig(null, BUCKET, PREFIX, S3Fake.REGION, fake.endpoint().toString());
        client = S3Clients.of(config, TEST_CREDENTIALS);
        store = new S3ArtifactStore(client, S3Clients.presigner(config, TEST_CREDENTIALS), config.s3Bucket(), config.s3Prefix());
    }

    @AfterEach
    void close() {
        store.close();
        fake.close();
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected String foreignUri(ArtifactLocation location) {
        return "s3://another-bucket/" + PREFIX + location.key();
    }

    @Override
    protected void tamper(ArtifactLocation location, byte[] bytes) {
        fake.tamper(PREFIX + location.key(), bytes);
    }

    private Path file(String content) throws Exception {
        Path file = Files.createTempFile(scratch, "artifact", ".bin");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void aDeleteInTheVersionedBucketRemovesTheVersionInsteadOfHidingIt() throws Exception {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath(".portcullis/plan-show.json"));
        store.put(location, file("{\"values\":\"held\"}"));

        store.delete(location);

        assertEquals(null, fake.object(PREFIX + location.key()));
        assertEquals(List.of(), fake.noncurrentVersions(PREFIX + location.key()));
    }

    @Test
    void anArtifactIsUploadedPathStyleUnderThePrefixWithItsDigest() throws Exception {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));

        ArtifactRef ref = store.put(location, file("plan bytes\n"));

        String key = PREFIX + location.key();
        assertEquals("s3://" + BUCKET + "/" + key, ref.uri());
        assertTrue(fake.requests().contains("PUT /" + BUCKET + "/" + key), fake.requests().toString());
        assertTrue(fake.requests().contains("HEAD /" + BUCKET + "/" + key), fake.requests().toString());
        assertEquals(ref.sha256().value(), fake.object(key).metadata().get(S3ArtifactStore.SHA256_METADATA));
        assertEquals("plan bytes\n", new String(fake.object(key).bytes()));
        assertEquals(java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(ref.sha256().value())),
                fake.object(key).checksumSha256());
    }

    @Test
    void aPresignedUploadUrlStoresTheObjectOnceWithoutAChecksumKnownInAdvance() throws Exception {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));
        ArtifactUrl url = store.uploadUrl(location, Duration.ofMinutes(90));

        int first = put(url, "the plan", true);
        int second = put(url, "a forged plan", true);

        assertEquals(200, first);
        assertEquals(412, second);
        assertEquals("the plan", new String(fake.object(PREFIX + location.key()).bytes(), StandardCharsets.UTF_8));
        assertTrue(url.reveal().contains("X-Amz-Expires=5400"), "validity");
        assertFalse(url.reveal().toLowerCase(java.util.Locale.ROOT).contains("checksum"), "no checksum is signed in");
        assertEquals("ArtifactUrl[redacted]", url.toString());
        assertEquals(64, url.signature().orElseThrow().length());
    }

    @Test
    void aPresignedUploadWithoutIfNoneMatchIsRefused() throws Exception {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));

        int status = put(store.uploadUrl(location, Duration.ofMinutes(5)), "the plan", false);

        assertEquals(403, status);
        assertEquals(null, fake.object(PREFIX + location.key()));
    }

    @Test
    void aPresignedDownloadUrlReadsTheStoredBytes() throws Exception {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));
        store.put(location, file("plan bytes\n"));

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(store.downloadUrl(location, Duration.ofMinutes(5)).reveal())).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("plan bytes\n", response.body());
    }

    @Test
    void aPresignedUrlValidForLongerThanSevenDaysIsRefused() {
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));

        assertThrows(IllegalArgumentException.class, () -> store.uploadUrl(location, Duration.ofDays(8)));
    }

    /** What the runner does: one PUT of the bytes to the URL, as a client outside the SDK. */
    private static int put(ArtifactUrl url, String content, boolean ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.reveal()))
                .PUT(HttpRequest.BodyPublishers.ofString(content));
        if (ifNoneMatch) {
            request.header("If-None-Match", "*");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anUnavailableStoreFailsTheUploadAsUnavailable() throws Exception {
        fake.failNext(100);
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));
        Path file = file("plan bytes\n");

        ArtifactException e = assertThrows(ArtifactException.class, () -> store.put(location, file));

        assertEquals(ArtifactException.Problem.UNAVAILABLE, e.problem());
        assertTrue(e.getMessage().startsWith("the artifact " + location.key()), e.getMessage());
    }

    @Test
    void aBriefSlowDownIsRetriedBySdk() throws Exception {
        fake.failNext(1);
        ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));

        ArtifactRef ref = store.put(location, file("plan bytes\n"));

        assertEquals(11, ref.sizeBytes());
    }
}
