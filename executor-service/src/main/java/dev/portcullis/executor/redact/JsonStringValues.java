package dev.portcullis.executor.redact;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The string values inside a structured (JSON) secret, e.g. the password in
 * {@code {"username":"deploy","password":"…"}}: a task that prints one field of its secret must
 * not leak it just because the registered value is the whole document. Object keys are not
 * values and are not returned. Read with Jackson's streaming parser, strictly; the secret never
 * reaches a message: a parse failure is only "not JSON" (the exception, whose message may quote
 * the text, is dropped here and never logged).
 */
final class JsonStringValues {
    /** Containers nested deeper than this (the outermost counts as one) are not read. */
    static final int MAX_NESTING = 65;
    private static final int MAX_CHARS = 16 * 1024 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                    .maxStringLength(MAX_CHARS).maxDocumentLength(MAX_CHARS).maxNumberLength(1000).build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private JsonStringValues() {}

    /** The string values of a JSON object or array, in document order; empty if the text is not one. */
    static Optional<List<String>> of(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(trimmed)) {
            parser.nextToken(); // the opening brace or bracket
            for (int depth = 1; depth > 0; ) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return Optional.empty(); // cut short
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_STRING -> values.add(parser.getText());
                    default -> { } // names, numbers, true, false, null
                }
            }
            if (parser.nextToken() != null) {
                return Optional.empty(); // more after the document
            }
        } catch (IOException notJson) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(values));
    }
}
