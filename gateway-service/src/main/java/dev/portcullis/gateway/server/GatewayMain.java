package dev.portcullis.gateway.server;

import dev.portcullis.runtime.server.ServiceLauncher;

/** Runs the gateway service alone, configured from environment variables and system properties. */
public final class GatewayMain {
    private GatewayMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServiceLauncher.runUntilShutdown("gateway");
    }
}
