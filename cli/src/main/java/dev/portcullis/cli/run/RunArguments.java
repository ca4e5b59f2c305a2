package dev.portcullis.cli.run;

import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RunId;

/** Checks of the values the run commands take, before anything is sent. */
final class RunArguments {
    private RunArguments() {}

    /** @throws dev.portcullis.runtime.error.InvalidRequestException naming {@code label} when it is no run id */
    static String runId(String label, String text) {
        FieldParser fields = new FieldParser();
        fields.parse(label, text, RunId::new);
        fields.throwIfInvalid();
        return text;
    }

    /** Free text the gateway records: {@code min} to 1024 printable characters. */
    static String text(String label, String text, int min) {
        if (text.length() < min || text.length() > 1024 || !text.chars().allMatch(c -> c >= 0x20 || c == '\n')) {
            FieldParser fields = new FieldParser();
            fields.reject(label, "must be " + min + "-1024 printable characters");
            fields.throwIfInvalid();
        }
        return text;
    }
}
