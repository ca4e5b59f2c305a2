package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Building a redactor from a task's secrets: what it refuses, and that it may be shared. */
class RedactorTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "1234567", "  tiny \n", "пароль1", "\uD83D\uDD11\uD83D\uDD11\uD83D\uDD11\uD83D\uDD11"})
    void aSecretShorterThanEightCharactersIsRefusedNamingItsPath(String value) {
        Secret secret = new Secret("kv:secret/data/prod/app#pin", value);

        UnsafeSecretException refused = assertThrows(UnsafeSecretException.class,
                () -> Redactor.of(List.of(new Secret("kv:ok", "long-enough-secret"), secret)));

        assertEquals("kv:secret/data/prod/app#pin", refused.path());
        assertTrue(refused.getMessage().contains("kv:secret/data/prod/app#pin"), refused.getMessage());
        assertTrue(refused.getMessage().contains("shorter than 8 characters"), refused.getMessage());
        if (!value.isBlank()) {
            assertFalse(refused.getMessage().contains(value.strip()), "the message carries the value");
        }
    }

    @Test
    void aMultiLineSecretWithoutALongLineIsRefused() {
        UnsafeSecretException refused = assertThrows(UnsafeSecretException.class,
                () -> Redactor.of(List.of(new Secret("kv:app#lines", "abc\ndef\nghi\njkl"))));

        assertEquals("kv:app#lines", refused.path());
        assertFalse(refused.getMessage().contains("abc"));
    }

    @Test
    void aSecretLongerThanTheBoundIsRefused() {
        String value = "x".repeat(Redactor.MAX_SECRET_LENGTH + 1);

        UnsafeSecretException refused = assertThrows(UnsafeSecretException.class,
                () -> Redactor.of(List.of(new Secret("kv:app#blob", value))));

        assertTrue(refused.getMessage().contains("longer than"), refused.getMessage());
    }

    @Test
    void secretsTooLargeTogetherAreRefusedNamingTheOneThatCrossedTheBound() {
        List<Secret> secrets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            secrets.add(new Secret("kv:app#big" + i, TestSecrets.PEM.reveal() + i + "x".repeat(8000)));
        }

        UnsafeSecretException refused = assertThrows(UnsafeSecretException.class, () -> Redactor.of(secrets));

        assertTrue(refused.path().startsWith("kv:app#big"), refused.path());
    }

    @Test
    void withoutSecretsOnlyPatternsAreMasked() {
        List<RedactedLine> out = RedactionCorpusTest.redact(Redactor.of(List.of()),
                List.of("key AKIAIOSFODNN7EXAMPLE", "correct-horse-battery-staple"));

        assertEquals(List.of("key [REDACTED]", "correct-horse-battery-staple"), out.stream().map(RedactedLine::text).toList());
    }

    @Test
    void oneRedactorServesConcurrentStreams() throws Exception {
        Redactor redactor = Redactor.of(TestSecrets.ALL);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> outputs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                outputs.add(pool.submit(() -> {
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        lines.add("line " + i + " " + TestSecrets.PLAIN.reveal().substring(0, i % 20));
                        lines.add(TestSecrets.PLAIN.reveal().substring(i % 20) + " " + TestSecrets.SPECIAL.reveal());
                    }
                    return Leaks.joined(RedactionCorpusTest.redact(redactor, lines));
                }));
            }
            for (Future<String> output : outputs) {
                String joined = output.get(60, TimeUnit.SECONDS);
                assertFalse(joined.contains(TestSecrets.PLAIN.reveal()));
                assertFalse(joined.contains(TestSecrets.SPECIAL.reveal()));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
