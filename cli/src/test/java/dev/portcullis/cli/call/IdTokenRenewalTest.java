package dev.portcullis.cli.call;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token whose source can give a new one is renewed before a call once less than a minute of it
 * is left, and only then; a failed renewal fails the call, naming the source, never the token.
 * Through the call credentials grpc-java invokes for every call.
 */
class IdTokenRenewalTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** A JWS-shaped token expiring at {@code exp} (its signature is not checked here, only its shape). */
    private static String jwt(Instant exp, String jti) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(UTF_8)) + "."
                + url.encodeToString(("{\"exp\":" + exp.getEpochSecond() + ",\"jti\":\"" + jti + "\"}").getBytes(UTF_8))
                + ".c2lnbmF0dXJl";
    }

    /** What the next call carries: its authorization header, or the status it failed with. */
    private static String nextCall(IdToken token) {
        AtomicReference<String> sent = new AtomicReference<>();
        token.credentials().applyRequestMetadata(null, Runnable::run, new CallCredentials.MetadataApplier() {
            @Override
            public void apply(Metadata headers) {
                sent.set(headers.get(IdToken.AUTHORIZATION));
            }

            @Override
            public void fail(Status status) {
                sent.set(status.getCode() + ": " + status.getDescription());
            }
        });
        return sent.get();
    }

    @Test
    void aTokenFileNearItsExpiryIsReadAgainBeforeTheNextCall() throws Exception {
        String old = jwt(NOW.plusSeconds(30), "old");
        String fresh = jwt(NOW.plusSeconds(3600), "fresh");
        Path file = Files.writeString(dir.resolve("token"), old);
        IdToken token = IdToken.read(file, "--id-token-file").renewedBy(() -> IdToken.read(file, "--id-token-file"), CLOCK);
        Files.writeString(file, fresh);

        assertEquals("Bearer " + fresh, nextCall(token));
    }

    @Test
    void aTokenWithMoreThanAMinuteLeftIsNotRenewed() {
        String current = jwt(NOW.plusSeconds(61), "current");
        AtomicInteger renewals = new AtomicInteger();
        IdToken token = IdToken.of(current, "test").renewedBy(() -> {
            renewals.incrementAndGet();
            return IdToken.of(jwt(NOW.plusSeconds(3600), "fresh"), "test");
        }, CLOCK);

        assertEquals("Bearer " + current, nextCall(token));
        assertEquals(0, renewals.get());
    }

    @Test
    void aFailedRenewalFailsTheCallNamingTheSourceNotTheToken() {
        String current = jwt(NOW.minusSeconds(5), "expired");
        IdToken token = IdToken.of(current, "the token GitHub Actions issued for audience prod").renewedBy(() -> {
            throw new IllegalStateException("GitHub's identity token endpoint answered HTTP 503: retry the job");
        }, CLOCK);

        String failed = nextCall(token);

        assertTrue(failed.startsWith("UNAUTHENTICATED: the identity token from the token GitHub Actions issued for audience"
                + " prod expires at 2026-12-07T11:59:55Z and could not be renewed: GitHub's identity token endpoint"
                + " answered HTTP 503"), failed);
        assertFalse(failed.contains(current.substring(current.lastIndexOf('.') - 10)), failed);
    }

    @Test
    void aTokenFromASourceThatCannotRenewIsSentAsItIs() {
        String expired = jwt(NOW.minusSeconds(5), "expired");

        assertEquals("Bearer " + expired, nextCall(IdToken.of(expired, "PORTCULLIS_ID_TOKEN")));
    }
}
