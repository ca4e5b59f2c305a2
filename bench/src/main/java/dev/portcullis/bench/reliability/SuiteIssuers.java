package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.cli.dev.issuer.DevIssuer;
import dev.portcullis.cli.dev.issuer.DevTokens;
import dev.portcullis.runtime.pki.DevPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * The OIDC issuers the suite's gateway is configured with, for the corpus' token cases: the
 * DEV ONLY dev issuer (whose minter signs good and deliberately bad tokens) and a second issuer,
 * {@value #DOWN}, whose URL nothing listens on, so its tokens meet an issuer that is unreachable
 * with no cached key. Immutable.
 *
 * @param dev mints the dev issuer's tokens
 * @param downIssuerUrl the issuer URL of {@value #DOWN}
 */
public record SuiteIssuers(DevTokens dev, String downIssuerUrl) {
    /** The name of the unreachable issuer in the gateway's configuration. */
    public static final String DOWN = "down";

    public SuiteIssuers {
        requireNonNull(dev, "dev is null");
        requireNonNull(downIssuerUrl, "downIssuerUrl is null");
    }

    /** An issuer URL at a loopback port nothing listens on now, for {@value #DOWN}. */
    public static String unreachableIssuerUrl() {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again: connections to it are refused at once
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
        return "https://127.0.0.1:" + port;
    }

    /**
     * The gateway's settings for {@value #DOWN} (those of the dev issuer come from {@link DevIssuer}):
     * a short fetch timeout, so its refusals come quickly.
     */
    public static Map<String, Object> downIssuerProperties(String downIssuerUrl, DevPki pki) {
        String prefix = "portcullis.oidc.issuers." + DOWN + ".";
        Map<String, Object> properties = new HashMap<>();
        properties.put(prefix + "issuer-url", downIssuerUrl);
        properties.put(prefix + "audience", DevIssuer.AUDIENCE);
        properties.put(prefix + "ca-file", pki.caFile().toAbsolutePath().toString());
        properties.put(prefix + "identity-template", "spiffe://" + DevPki.TRUST_DOMAIN + "/ci/down/{repository}");
        properties.put(prefix + "fetch-timeout", "1s");
        return Map.copyOf(properties);
    }
}
