package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Well-known credentials are masked although no task registered them. */
class CredentialPatternsTest {
    private static final String HEAD = "  + id = \"";
    private static final String TAIL = "\" -> (known after apply)";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "AKIAIOSFODNN7EXAMPLE | pattern:aws-access-key-id",
        "ASIAY34FZKBOKMUTVV7A | pattern:aws-access-key-id",
        "hvs.CAESIJ8o9XbxK3mD1fWcR7yQe2pLzN4vT6uH0aGkS5jB | pattern:vault-token",
        "hvb.AAAAAQJx7pK2mN4vT6uH0aGkS5jBz9yW3eR1tQ8oL5nC2dF | pattern:vault-token",
        "s.Xk2mN4vT6uH0aGkS5jBz9yW3 | pattern:vault-token",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a | pattern:github-token",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a | pattern:github-token",
        "ghu_16C7e42F292c6912E7710c838347Ae178B4a | pattern:github-token",
        "ghs_16C7e42F292c6912E7710c838347Ae178B4a | pattern:github-token",
        "ghr_16C7e42F292c6912E7710c838347Ae178B4a | pattern:github-token",
        "github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 | pattern:github-token",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c | pattern:jwt",
    })
    void aTokenIsMaskedInEveryPositionOfALine(String token, String kind) {
        for (String line : List.of(token, token + TAIL, HEAD + token + TAIL, HEAD + token)) {
            RedactedLine out = single(line);

            assertEquals(line.replace(token, Redactor.MASK), out.text());
            assertEquals(List.of(kind), out.detections());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "{\"AccessKeyId\": \"x\", \"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}",
        "secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
        "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY --profile prod",
    })
    void anAwsSecretAccessKeyIsMaskedInAnAssignment(String line) {
        RedactedLine out = single(line);

        assertEquals(line.replace("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Redactor.MASK), out.text());
        assertEquals(List.of("pattern:aws-secret-access-key"), out.detections());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AKIA is the prefix of an access key id",
        "AKIAIOSFODNN7EXAMP",
        "aws_instance.s.abc: Refreshing state...",
        "bucket.s.Xk2mN4vT6uH0aGkS5jBz9yW3",
        "ghp_short",
        "hvs.short",
        "eyJ is how base64 of a JSON object starts",
        "secret_access_key = (sensitive value)",
        "  + private_key_pem = (sensitive value)",
    })
    void aNearMissPassesUnchanged(String line) {
        RedactedLine out = single(line);

        assertEquals(line, out.text());
        assertFalse(out.redacted());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "            "})
    void everyLineOfAPrivateKeyBlockIsMasked(String indent) {
        List<String> lines = List.of(
                "  + private_key_pem = <<-EOT",
                indent + "-----BEGIN RSA PRIVATE KEY-----",
                indent + "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF",
                indent + "Proc-Type: 4,ENCRYPTED",
                indent + "ZQIDAQAB",
                indent + "-----END RSA PRIVATE KEY-----",
                "    EOT",
                "after the key");

        List<RedactedLine> out = RedactionCorpusTest.redact(Redactor.patternsOnly(), lines);

        assertEquals(List.of("  + private_key_pem = <<-EOT", indent + "-----BEGIN RSA PRIVATE KEY-----",
                indent + Redactor.MASK, indent + Redactor.MASK, indent + Redactor.MASK,
                indent + "-----END RSA PRIVATE KEY-----", "    EOT", "after the key"),
                out.stream().map(RedactedLine::text).toList());
        assertEquals(List.of(CredentialPatterns.PRIVATE_KEY), out.get(3).detections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ENCRYPTED ", "OPENSSH ", "EC ", ""})
    void aPrivateKeyBlockOnOneLineIsMaskedBetweenItsMarkers(String type) {
        String line = "{\"key\": \"-----BEGIN " + type + "PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END "
                + type + "PRIVATE KEY-----\\n\"}";

        RedactedLine out = single(line);

        assertEquals("{\"key\": \"-----BEGIN " + type + "PRIVATE KEY-----[REDACTED]-----END " + type
                + "PRIVATE KEY-----\\n\"}", out.text());
    }

    @org.junit.jupiter.api.Test
    void aPrivateKeyBlockWithoutEndIsMaskedForABoundedNumberOfLines() {
        LineStream stream = Redactor.patternsOnly().stream();
        stream.accept("-----BEGIN PRIVATE KEY-----");

        for (int i = 0; i < LineStream.MAX_PRIVATE_KEY_LINES; i++) {
            assertEquals(Redactor.MASK, stream.accept("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC").get(0).text());
        }

        assertEquals("back to normal", stream.accept("back to normal").get(0).text());
    }

    private static RedactedLine single(String line) {
        List<RedactedLine> out = RedactionCorpusTest.redact(Redactor.patternsOnly(), List.of(line));
        assertEquals(1, out.size());
        return out.get(0);
    }
}
