package dev.portcullis.cli.run;

import dev.portcullis.cli.call.ConnectionOptions;
import dev.portcullis.cli.call.IdToken;
import dev.portcullis.cli.call.IdTokenOptions;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the gateway is and who we are: {@code PORTCULLIS_GATEWAY_ADDR}, {@code PORTCULLIS_{CA,CERT,KEY}_FILE}
 * and, for a CI job, an OIDC identity token ({@link IdTokenOptions}).
 */
final class GatewayConnection {
    @Option(names = "--gateway-addr", defaultValue = "${env:PORTCULLIS_GATEWAY_ADDR}",
            description = "host:port of the gateway (default: $PORTCULLIS_GATEWAY_ADDR).")
    String address;

    @Mixin
    ConnectionOptions tls;

    @Mixin
    IdTokenOptions idToken;

    // read (or fetched) at the first open, then sent on every channel of this command, so reconnects fetch nothing
    // again; null while unresolved or when the command sends no token; confined to the command's thread
    private IdToken token;
    private boolean tokenResolved;

    ManagedChannel open() {
        if (!tokenResolved) {
            token = idToken.token().orElse(null);
            tokenResolved = true;
        }
        return token != null ? tls.open("gateway", address, token) : tls.open("gateway", address);
    }

    /** Makes one call with a 30 s deadline on a channel of its own, closed afterwards. */
    <T> T call(Function<GatewayServiceGrpc.GatewayServiceBlockingStub, T> rpc) {
        ManagedChannel channel = open();
        try {
            return rpc.apply(GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS));
        } finally {
            channel.shutdownNow();
        }
    }
}
