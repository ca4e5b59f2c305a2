package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A delivery's JSON body, read strictly (one object, no duplicate keys, no trailing data, nesting
 * bounded) and navigated leniently: a missing or mistyped field reads as empty, never as an
 * exception, because forges add and drop fields over time. Immutable.
 */
final class JsonPayload {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(100).maxStringLength((int) SourcesConfig.MAX_BODY_BYTES)
                .maxDocumentLength(SourcesConfig.MAX_BODY_BYTES).build());
        JSON.getFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    private final JsonNode node;

    private JsonPayload(JsonNode node) {
        this.node = requireNonNull(node, "node is null");
    }

    /**
     * Parses {@code body} as one JSON object.
     *
     * @throws MalformedPayloadException when it is not one
     */
    static JsonPayload parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            // the parser's message may quote the body: only the kind of failure is kept
            throw new MalformedPayloadException("the body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedPayloadException("the body must be a JSON object");
        }
        return new JsonPayload(root);
    }

    /** The node at {@code path}; an empty object when absent. */
    JsonPayload at(String... path) {
        JsonNode current = node;
        for (String step : path) {
            current = current.path(step);
        }
        return new JsonPayload(current);
    }

    /** The text (or number, or boolean, as text) at {@code path}; empty when absent, null or structured. */
    String text(String... path) {
        JsonNode value = at(path).node;
        return value.isValueNode() && !value.isNull() ? value.asText() : "";
    }

    /** The boolean at {@code path}, when it is one. */
    Optional<Boolean> bool(String... path) {
        JsonNode value = at(path).node;
        return value.isBoolean() ? Optional.of(value.booleanValue()) : Optional.empty();
    }

    /** True when something (even null) is at {@code path}. */
    boolean has(String... path) {
        return !at(path).node.isMissingNode();
    }

    boolean isObject() {
        return node.isObject();
    }

    boolean isArray() {
        return node.isArray();
    }

    /** The elements of the array at {@code path}; empty when it is not an array. */
    List<JsonPayload> elements(String... path) {
        JsonNode array = at(path).node;
        List<JsonPayload> elements = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(element -> elements.add(new JsonPayload(element)));
        }
        return elements;
    }

    /** The field names of the object at {@code path}, in document order; empty for anything else. */
    List<String> fieldNames(String... path) {
        List<String> names = new ArrayList<>();
        at(path).node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The node as canonical text, for comparing values of any type. */
    String canonical() {
        return node.isMissingNode() ? "" : node.toString();
    }

    /** The value itself as text when it is a value, its canonical JSON otherwise. */
    String asText() {
        return node.isValueNode() ? node.asText() : canonical();
    }

    /** A number at this node, if it is one. */
    Optional<Double> number() {
        return node.isNumber() ? Optional.of(node.doubleValue()) : Optional.empty();
    }
}
