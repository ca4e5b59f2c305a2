package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonStringValuesTest {

    @Test
    void theStringValuesAreReturnedInDocumentOrderWithoutKeys() {
        assertEquals(Optional.of(List.of("deploy", "p\"a/ss\né🚨", "x", "y")), JsonStringValues.of(
                " {\"username\":\"deploy\",\"password\":\"p\\\"a\\/ss\\n\\u00e9\\ud83d\\udea8\",\"port\":5432,"
                        + "\"tls\":true,\"none\":null,\"more\":{\"list\":[\"x\",1.5e3,[\"y\"]]}}\n"));
        assertEquals(Optional.of(List.of()), JsonStringValues.of("[]"));
    }

    @Test
    void nestingIsReadToItsLimitAndNoFurther() {
        int limit = JsonStringValues.MAX_NESTING;
        assertEquals(Optional.of(List.of("deep")),
                JsonStringValues.of("[".repeat(limit - 1) + "[\"deep\"]" + "]".repeat(limit - 1)));
        assertEquals(Optional.empty(), JsonStringValues.of("[".repeat(limit) + "[\"deep\"]" + "]".repeat(limit)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain secret", "\"a string\"", "42", "{", "{\"a\":\"b\"", "{\"a\":\"b\"} x", "{}{}",
            "{\"a\":\"\\x\"}", "{\"a\":\"line\nbreak\"}", "{\"a\":'b'}", "[\"a\",]", "{a:\"b\"}"})
    void anythingButOneObjectOrArrayIsNotJson(String text) {
        assertEquals(Optional.empty(), JsonStringValues.of(text));
    }
}
