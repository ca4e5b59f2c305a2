package dev.portcullis.executor.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a {@link PlanSummary}: compact JSON, e.g.
 * {@code {"summary_version":1,"format_version":"1.2","counts":{"create":1,…},"changes":[{"address":
 * "terraform_data.db","type":"terraform_data","actions":["delete","create"],"reason":
 * "replace_because_cannot_update"}],"outputs":["endpoint"],"drift":[]}}. Absent reasons, moves and
 * imports, and zero "not listed" counts, are left out. {@code read(write(s))} equals {@code s}.
 * Thread-safe.
 */
public final class PlanSummaryJson {
    private static final int SUMMARY_VERSION = 1;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private PlanSummaryJson() {}

    /** The summary as one line of compact JSON. */
    public static String write(PlanSummary summary) {
        ObjectNode root = JSON.createObjectNode();
        root.put("summary_version", SUMMARY_VERSION);
        root.put("format_version", summary.formatVersion());
        ChangeCounts counts = summary.counts();
        root.putObject("counts")
                .put("create", counts.create()).put("update", counts.update()).put("delete", counts.delete())
                .put("replace", counts.replace()).put("read", counts.read()).put("forget", counts.forget())
                .put("no_op", counts.noOp()).put("import", counts.imports()).put("move", counts.moves());
        writeResources(root.putArray("changes"), summary.changes());
        putIfPositive(root, "changes_not_listed", summary.changesNotListed());
        ArrayNode outputs = root.putArray("outputs");
        summary.changedOutputs().forEach(outputs::add);
        putIfPositive(root, "outputs_not_listed", summary.outputsNotListed());
        writeResources(root.putArray("drift"), summary.drift());
        putIfPositive(root, "drift_not_listed", summary.driftNotListed());
        return root.toString();
    }

    /**
     * The summary {@link #write} wrote.
     *
     * @throws IllegalArgumentException when {@code stored} is not such a summary; the message never
     *     quotes it
     */
    public static PlanSummary read(String stored) {
        JsonNode root;
        try {
            root = JSON.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored plan summary is not valid JSON");
        }
        if (root == null || !root.isObject() || integer(root, "summary_version") != SUMMARY_VERSION) {
            throw new IllegalArgumentException("stored plan summary is not version " + SUMMARY_VERSION);
        }
        JsonNode counts = required(root, "counts");
        return new PlanSummary(
                string(root, "format_version"),
                new ChangeCounts(integer(counts, "create"), integer(counts, "update"), integer(counts, "delete"),
                        integer(counts, "replace"), integer(counts, "read"), integer(counts, "forget"),
                        integer(counts, "no_op"), integer(counts, "import"), integer(counts, "move")),
                readResources(required(root, "changes")),
                optionalInteger(root, "changes_not_listed"),
                strings(required(root, "outputs")),
                optionalInteger(root, "outputs_not_listed"),
                readResources(required(root, "drift")),
                optionalInteger(root, "drift_not_listed"));
    }

    private static void writeResources(ArrayNode array, List<ResourceChange> resources) {
        for (ResourceChange resource : resources) {
            ObjectNode node = array.addObject().put("address", resource.address()).put("type", resource.type());
            ArrayNode actions = node.putArray("actions");
            resource.actions().forEach(action -> actions.add(action.json()));
            resource.reason().ifPresent(reason -> node.put("reason", reason));
            if (resource.importing()) {
                node.put("importing", true);
            }
            resource.movedFrom().ifPresent(from -> node.put("previous_address", from));
        }
    }

    private static List<ResourceChange> readResources(JsonNode array) {
        List<ResourceChange> resources = new ArrayList<>();
        for (JsonNode node : elements(array)) {
            List<PlanAction> actions = strings(required(node, "actions")).stream()
                    .map(word -> PlanAction.fromJson(word).orElseThrow(
                            () -> new IllegalArgumentException("stored plan summary has an unknown action")))
                    .toList();
            JsonNode importing = node.path("importing");
            if (!importing.isMissingNode() && !importing.isBoolean()) {
                throw new IllegalArgumentException("stored plan summary: importing must be a boolean");
            }
            resources.add(new ResourceChange(string(node, "address"), string(node, "type"), actions,
                    node.has("reason") ? string(node, "reason") : "", importing.asBoolean(false),
                    node.has("previous_address") ? string(node, "previous_address") : ""));
        }
        return resources;
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        for (JsonNode element : elements(array)) {
            if (!element.isTextual()) {
                throw new IllegalArgumentException("stored plan summary: expected an array of strings");
            }
            strings.add(element.textValue());
        }
        return strings;
    }

    private static Iterable<JsonNode> elements(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("stored plan summary: expected an array");
        }
        return array;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new IllegalArgumentException("stored plan summary lacks " + field);
        }
        return value;
    }

    private static String string(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("stored plan summary: " + field + " must be a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isInt()) {
            throw new IllegalArgumentException("stored plan summary: " + field + " must be an integer");
        }
        return value.intValue();
    }

    private static int optionalInteger(JsonNode node, String field) {
        return node.has(field) ? integer(node, field) : 0;
    }

    private static void putIfPositive(ObjectNode node, String field, int value) {
        if (value > 0) {
            node.put(field, value);
        }
    }
}
