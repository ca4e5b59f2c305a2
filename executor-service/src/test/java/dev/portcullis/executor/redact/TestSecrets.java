package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Base64;
import java.util.List;
import java.util.Random;

/** The secrets of the redaction tests: plain, full of characters that need escaping, minimal, PEM, JSON, multi-line. */
final class TestSecrets {
    static final Secret PLAIN = new Secret("kv:secret/data/prod/app#api_key", "correct-horse-battery-staple");
    /** Quotes, shell and URL specials, a backslash, a slash, HTML specials, a tab and non-ASCII. */
    static final Secret SPECIAL = new Secret("kv:secret/data/prod/app#db_password", "S3cr3t p@ss/w0rd'\"$`\\+&<>%~é\t!");
    /** Exactly the shortest value accepted. */
    static final Secret MINIMAL = new Secret("kv:secret/data/prod/app#pin", "Zq8#vL2!");
    static final Secret PEM = new Secret("kv:secret/data/prod/app#tls_key", pem());
    static final Secret JSON = new Secret("kv:secret/data/prod/app#docker",
            "{\"username\":\"deploy-bot\",\"password\":\"Tr0ub4dor&3-horse\",\"port\":5432,"
                    + "\"nested\":{\"token\":\"nested-token-value-9\",\"short\":\"abc\"}}");
    static final Secret MULTI_LINE = new Secret("kv:secret/data/prod/app#recovery", "first-recovery-line\nsecond-recovery-line\n");

    static final List<Secret> ALL = List.of(PLAIN, SPECIAL, MINIMAL, PEM, JSON, MULTI_LINE);

    private TestSecrets() {}

    /** A PEM-shaped private key with a fixed random body: 64-column base64 lines between the markers. */
    private static String pem() {
        byte[] body = new byte[600];
        new Random(20240304L).nextBytes(body);
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(body);
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }
}
