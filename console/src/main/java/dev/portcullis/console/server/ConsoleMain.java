package dev.portcullis.console.server;

/** Runs the console alone, configured from environment variables and system properties. */
public final class ConsoleMain {
    private ConsoleMain() {}

    public static void main(String[] args) throws InterruptedException {
        ConsoleLauncher.runUntilShutdown();
    }
}
