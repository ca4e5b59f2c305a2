package dev.portcullis.bench.reliability;

/**
 * One fault the reliability suite injected: instance {@code instance} of service {@code service}
 * killed with SIGKILL after {@code atRun} runs had finished, left down {@code downMillis}, its
 * pod-local directories wiped ({@code wipedFiles} files were in them), serving again
 * {@code backAfterMillis} after the kill.
 */
public record InjectedFault(String service, String instance, int atRun, long downMillis, long wipedFiles,
        long backAfterMillis) {}
