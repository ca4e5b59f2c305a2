package dev.portcullis.cli.run;

import dev.portcullis.cli.ConnectionOptions;
import io.grpc.ManagedChannel;
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
        return tls.open(address, "PORTCULLIS_GATEWAY_ADDR");
    }
}
