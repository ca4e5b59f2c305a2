package dev.portcullis.cli.run;

import dev.portcullis.cli.call.ConnectionOptions;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the gateway is and who we are: {@code PORTCULLIS_GATEWAY_ADDR} and {@code PORTCULLIS_{CA,CERT,KEY}_FILE}. */
final class GatewayConnection {
    @Option(names = "--gateway-addr", defaultValue = "${env:PORTCULLIS_GATEWAY_ADDR}",
            description = "host:port of the gateway (default: $PORTCULLIS_GATEWAY_ADDR).")
    String address;

    @Mixin
    ConnectionOptions tls;

    ManagedChannel open() {
        return tls.open("gateway", address);
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
