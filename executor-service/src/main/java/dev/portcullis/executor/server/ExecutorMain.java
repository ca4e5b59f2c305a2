package dev.portcullis.executor.server;

import dev.portcullis.runtime.server.ServiceLauncher;

/** Runs the executor service alone, configured from environment variables and system properties. */
public final class ExecutorMain {
    private ExecutorMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServiceLauncher.runUntilShutdown("executor");
    }
}
