package dev.portcullis.runtime.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two JSON shapes stored columns need, written canonically (object keys sorted by
 * {@link String#compareTo}, no whitespace, only the escapes JSON requires: {@code \"}, {@code \\},
 * the short forms {@code \b \f \n \r \t} and lowercase {@code \\u00xx} (six characters) for other control
 * characters; everything else as itself) and read strictly: an object of string values and an
 * array of strings. Audit attributes, alert columns and gateway decisions are stored in this form
 * and audit rows are read back from it to recompute the hash chain, so its bytes are fixed:
 * {@code CanonicalJsonBytesTest} holds them. Jackson's streaming API does the work; {@link #writer}
 * gives other writers of JSON the same escaping.
 */
public final class CanonicalJson {
    /** Longest text read: stored columns are far shorter; anything longer is not ours. */
    public static final int MAX_DOCUMENT_CHARS = 16 * 1024 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            // one level: the object or array itself, whose members are strings
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1)
                    .maxStringLength(MAX_DOCUMENT_CHARS).maxDocumentLength(MAX_DOCUMENT_CHARS).build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(16).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    private CanonicalJson() {}

    /** {@code {"a":"1","b":"2"}}, keys in {@link String#compareTo} order. */
    public static String object(Map<String, String> values) {
        return write(json -> {
            json.writeStartObject();
            for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
                json.writeStringField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
        });
    }

    /** {@code ["a","b"]}, in the given order. */
    public static String array(List<String> values) {
        return write(json -> {
            json.writeStartArray();
            for (String value : values) {
                json.writeString(value);
            }
            json.writeEndArray();
        });
    }

    /** {@code value} as a JSON string literal. */
    public static String quote(String value) {
        return write(json -> json.writeString(value));
    }

    /** What {@link #write} runs: writes one JSON value. */
    @FunctionalInterface
    public interface Body {
        void writeTo(JsonGenerator json) throws IOException;
    }

    /**
     * The JSON {@code body} writes, with this class's escaping and no whitespace. For documents
     * whose field order is their own (log lines, chat messages).
     */
    public static String write(Body body) {
        StringWriter out = new StringWriter(128);
        // a Writer, not bytes: lone surrogates pass through as they always have, rather than failing
        try (JsonGenerator json = JSON.createGenerator(out)) {
            body.writeTo(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toString();
    }

    /**
     * Reads an object whose values are all strings.
     *
     * @throws IllegalArgumentException if {@code json} is anything else
     */
    public static Map<String, String> parseObject(String json) {
        Map<String, String> values = new TreeMap<>();
        read(json, parser -> {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                expect(parser.nextToken(), JsonToken.VALUE_STRING);
                values.put(key, parser.getText()); // duplicates fail in the parser
            }
            expect(parser.currentToken(), JsonToken.END_OBJECT);
        });
        return Map.copyOf(values);
    }

    /**
     * Reads an array of strings.
     *
     * @throws IllegalArgumentException if {@code json} is anything else
     */
    public static List<String> parseArray(String json) {
        List<String> values = new ArrayList<>();
        read(json, parser -> {
            expect(parser.nextToken(), JsonToken.START_ARRAY);
            while (parser.nextToken() == JsonToken.VALUE_STRING) {
                values.add(parser.getText());
            }
            expect(parser.currentToken(), JsonToken.END_ARRAY);
        });
        return List.copyOf(values);
    }

    private interface Read {
        void from(JsonParser parser) throws IOException;
    }

    private static void read(String json, Read read) {
        try (JsonParser parser = JSON.createParser(json)) {
            read.from(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("malformed JSON: trailing characters");
            }
        } catch (IOException e) {
            // Jackson's message quotes the text; only where it failed is kept
            throw new IllegalArgumentException("malformed JSON at offset " + offset(e));
        }
    }

    private static String offset(IOException e) {
        return e instanceof JsonProcessingException processing
                && processing.getLocation() != null
                ? Long.toString(processing.getLocation().getCharOffset()) : "?";
    }

    private static void expect(JsonToken token, JsonToken wanted) {
        if (token != wanted) {
            throw new IllegalArgumentException("malformed JSON: expected " + wanted + ", found " + token);
        }
    }
}
