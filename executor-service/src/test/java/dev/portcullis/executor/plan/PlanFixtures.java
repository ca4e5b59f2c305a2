package dev.portcullis.executor.plan;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The plan JSON fixtures next to generate-fixtures.sh in this package's test resources. */
final class PlanFixtures {
    private PlanFixtures() {}

    static byte[] bytes(String name) {
        try (InputStream in = PlanFixtures.class.getResourceAsStream(name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static PlanSummary summarise(String name) {
        return new TerraformPlanJson().summarise(new ByteArrayInputStream(bytes(name)));
    }

    static PlanSummary summariseJson(String json) {
        return new TerraformPlanJson().summarise(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
