package dev.portcullis.bench.reliability;

/**
 * One fault the reliability suite injected: service {@code service} killed with SIGKILL after
 * {@code atRun} runs had finished, left down {@code downMillis}, serving again
 * {@code backAfterMillis} after the kill.
 */
public record InjectedFault(String service, int atRun, long downMillis, long backAfterMillis) {}
