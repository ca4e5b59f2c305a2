package dev.portcullis.cli.dev.issuer;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.RSAKey;
import dev.portcullis.console.devidp.DevIdentityProvider;
import dev.portcullis.runtime.pki.DevPki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * DEV ONLY: the identity provider humans sign in to the dev console at
 * ({@link DevIdentityProvider}, pick approver, auditor, admin or requester), on loopback over
 * HTTPS with a certificate from the dev CA, signing with the RS256 key in
 * {@code DATA_DIR/idp/signing-key.jwk} (mode 0600, kept across restarts). Dev mode configures the
 * gateway and the audit service to accept its tokens as the human issuer {@value #NAME}, mapping
 * {@code sub} to {@code spiffe://portcullis.dev/human/SUB}: the dev role patterns make the
 * approver, auditor and admin what their names say, and the requester nothing.
 */
public final class DevSignIn implements AutoCloseable {
    /** The human issuer's name in the gateway's and audit service's configuration. */
    public static final String NAME = "dev-human";
    /** Maps a dev user to the identity the dev role patterns know. */
    public static final String IDENTITY_TEMPLATE = "spiffe://" + DevPki.TRUST_DOMAIN + "/human/{sub}";
    private static final String CERTIFICATE_NAME = "identity-provider";

    private final DevIdentityProvider provider;
    private final Path caFile;

    private DevSignIn(DevIdentityProvider provider, Path caFile) {
        this.provider = provider;
        this.caFile = caFile;
    }

    /** Starts the provider of data directory {@code dataDir} on a free loopback port. */
    public static DevSignIn start(Path dataDir, DevPki pki, Clock clock) {
        RSAKey key = DevSigningKey.loadOrCreate(requireNonNull(dataDir, "dataDir is null").toAbsolutePath().resolve("idp"));
        return new DevSignIn(DevIdentityProvider.start(0, DevIssuer.serverTls(pki, clock, CERTIFICATE_NAME), key, clock), pki.caFile().toAbsolutePath());
    }

    /** The issuer URL, {@code https://127.0.0.1:PORT}. */
    public String url() {
        return provider.url();
    }

    /** Lets the console at {@code consoleUrl} sign in here: its redirect URI is registered for {@link DevIdentityProvider#CLIENT_ID}. */
    public void registerConsole(URI redirectUri) {
        provider.register(DevIdentityProvider.CLIENT_ID, redirectUri);
    }

    /** The console's settings for signing in here. */
    public Map<String, Object> consoleProperties() {
        return Map.of(
                "portcullis.console.oidc.issuer-url", provider.url(),
                "portcullis.console.oidc.client-id", DevIdentityProvider.CLIENT_ID,
                "portcullis.console.oidc.ca-file", caFile.toString());
    }

    /**
     * The gateway's and audit service's settings accepting this provider's ID tokens as human
     * issuer {@value #NAME}, audience the console's client id.
     */
    public Map<String, Object> humanIssuerProperties() {
        String prefix = "portcullis.oidc.issuers." + NAME + ".";
        return Map.of(
                prefix + "kind", "human",
                prefix + "issuer-url", provider.url(),
                prefix + "audience", DevIdentityProvider.CLIENT_ID,
                prefix + "ca-file", caFile.toString(),
                prefix + "identity-template", IDENTITY_TEMPLATE,
                prefix + "fetch-timeout", DevIssuer.FETCH_TIMEOUT.toSeconds() + "s");
    }

    @Override
    public void close() {
        provider.close();
    }
}
