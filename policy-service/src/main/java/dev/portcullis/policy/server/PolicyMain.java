package dev.portcullis.policy.server;

import dev.portcullis.runtime.server.ServiceLauncher;

/** Runs the policy service alone, configured from environment variables and system properties. */
public final class PolicyMain {
    private PolicyMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServiceLauncher.runUntilShutdown("policy");
    }
}
