package dev.portcullis.audit.server;

import dev.portcullis.runtime.server.ServiceLauncher;

/** Runs the audit service alone, configured from environment variables and system properties. */
public final class AuditMain {
    private AuditMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServiceLauncher.runUntilShutdown("audit");
    }
}
