package dev.portcullis.runtime.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    @Test
    void objectsAreWrittenWithSortedKeysAndNoWhitespace() {
        assertEquals("{\"a\":\"1\",\"b\":\"2\",\"c\":\"\"}", CanonicalJson.object(Map.of("c", "", "b", "2", "a", "1")));
        assertEquals("{}", CanonicalJson.object(Map.of()));
    }

    @Test
    void stringsEscapeQuotesBackslashesAndControlCharacters() {
        assertEquals("\"q\\\" b\\\\ n\\n t\\t u\\u0001 é🚨\"", CanonicalJson.quote("q\" b\\ n\n t\t u\u0001 é🚨"));
    }

    @Test
    void whatIsWrittenReadsBack() {
        Map<String, String> values = Map.of("k\"ey", "va\\lue\n\u0000", "ünï", "🚨", "empty", "");
        List<String> items = List.of("a", "", "\"", "x,y");

        assertEquals(values, CanonicalJson.parseObject(CanonicalJson.object(values)));
        assertEquals(items, CanonicalJson.parseArray(CanonicalJson.array(items)));
        assertEquals(List.of(), CanonicalJson.parseArray("[]"));
    }

    @Test
    void standardEscapesAndWhitespaceAreRead() {
        assertEquals(Map.of("a", "/é\b\f\r"), CanonicalJson.parseObject(" { \"a\" : \"\\/\\u00e9\\b\\f\\r\" } "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1}", "{\"a\":\"1\",}", "{\"a\":\"1\"} x", "{\"a\":\"1\",\"a\":\"2\"}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"line\nbreak\"}", "[\"a\"", "[1]"})
    void malformedJsonIsRefused(String json) {
        assertThrows(IllegalArgumentException.class, () -> {
            if (json.startsWith("[")) {
                CanonicalJson.parseArray(json);
            } else {
                CanonicalJson.parseObject(json);
            }
        });
    }
}
