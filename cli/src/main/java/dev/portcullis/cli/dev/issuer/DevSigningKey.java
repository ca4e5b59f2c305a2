package dev.portcullis.cli.dev.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * The dev issuer's RS256 signing key, {@code DATA_DIR/oidc/signing-key.jwk} (mode 0600): made on
 * first start, read on every later one, so tokens minted before a restart still verify after it.
 * DEV ONLY: a production issuer never keeps its private key in a file beside the data.
 */
final class DevSigningKey {
    static final String FILE_NAME = "signing-key.jwk";

    private DevSigningKey() {}

    /** The key in {@code oidcDir}, made and saved first when there is none. */
    static RSAKey loadOrCreate(Path oidcDir) {
        Path file = oidcDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return load(oidcDir);
        }
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyIDFromThumbprint(true).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate the dev issuer's signing key", e);
        }
        PrivateFiles.write(file, key.toJSONString());
        return key;
    }

    /**
     * The key saved in {@code oidcDir}.
     *
     * @throws IllegalStateException naming the file (never its content) when it is missing or unreadable
     */
    static RSAKey load(Path oidcDir) {
        Path file = oidcDir.resolve(FILE_NAME);
        try {
            RSAKey key = RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!key.isPrivate() || key.getKeyID() == null) {
                throw new IllegalStateException(file + " holds no private RSA key with a kid; delete it and restart"
                        + " `portcullis dev` to make a new one");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dev issuer's signing key " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is not a JWK; delete it and restart `portcullis dev` to make a new one");
        }
    }
}
