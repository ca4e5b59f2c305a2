package dev.portcullis.console.server;

import dev.portcullis.runtime.server.ProductionSafety;
import dev.portcullis.runtime.transport.TlsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A console started on its own (its main class, i.e. production) refuses development material,
 * as the services do: the dev CA or a dev certificate as its TLS material, a TLS key others may
 * read, and the DEV ONLY identity provider of {@code portcullis dev}, which signs in anyone who
 * opens its page without a password. That provider is known by its certificate (from the dev CA,
 * so {@code portcullis.console.oidc.ca-file} trusts the dev CA) and its address (always
 * loopback; a provider the browsers of a deployed console reach never is). Every problem names
 * the setting to change. Dev mode and tests do not come here.
 */
final class ConsoleProductionSafety {
    private ConsoleProductionSafety() {}

    /** @throws IllegalStateException listing every problem, each naming its setting */
    static void check(TlsConfig tls, ConsoleOidcConfig oidc) {
        List<String> problems = problems(tls, oidc);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start outside dev mode: " + String.join("; ", problems)
                    + " (for development use `portcullis dev`)");
        }
    }

    static List<String> problems(TlsConfig tls, ConsoleOidcConfig oidc) {
        List<String> problems = new ArrayList<>(ProductionSafety.tlsProblems(tls));
        if (oidc.caFile() != null && ProductionSafety.trustsDevCa(oidc.caFile())) {
            problems.add("portcullis.console.oidc.ca-file trusts the Portcullis dev CA, whose identity provider is the DEV ONLY one"
                    + " that signs in anyone without a password: configure your organisation's identity provider"
                    + " (docs/console.md, Identity providers)");
        }
        if (isLoopback(oidc.issuerUrl().getHost())) {
            problems.add("portcullis.console.oidc.issuer-url " + oidc.issuerUrl() + " is on loopback, where only the DEV ONLY"
                    + " identity provider runs: set your organisation's identity provider's issuer (docs/console.md, Identity providers)");
        }
        return problems;
    }

    private static boolean isLoopback(String host) {
        String bare = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
        if (bare.equals("localhost") || bare.endsWith(".localhost")) {
            return true;
        }
        if (!bare.matches("[0-9.]+|[0-9a-f:]+")) {
            return false; // a name: never resolved here, the check must not depend on DNS
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
