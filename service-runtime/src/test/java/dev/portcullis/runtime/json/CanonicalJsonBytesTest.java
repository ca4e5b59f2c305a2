package dev.portcullis.runtime.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stored form of audit attributes, alert columns and gateway decisions is {@link CanonicalJson}'s
 * output, and audit rows are read back from it to recompute the hash chain: the Jackson-based codec
 * must write exactly the bytes the hand-written one ({@link CanonicalJsonV1}, frozen) wrote, and read
 * everything it wrote back to the same values.
 */
class CanonicalJsonBytesTest {
    /**
     * SHA-256 over every output of the corpus below, as written by the hand-written codec before it
     * was replaced: a second witness that does not depend on the frozen copy staying frozen.
     */
    private static final String V1_CORPUS_DIGEST = "faef42c148de97d2b3bb583397c143c00a7b04f8d8702675998a06c0162c5596";

    @Test
    void everyObjectArrayAndStringIsWrittenAsTheHandWrittenCodecWroteIt() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (Map<String, String> values : objects()) {
            String written = CanonicalJson.object(values);
            assertEquals(CanonicalJsonV1.object(values), written, () -> "object " + values);
            assertEquals(values, CanonicalJson.parseObject(written));
            assertEquals(CanonicalJsonV1.parseObject(written), CanonicalJson.parseObject(written));
            update(digest, written);
        }
        for (List<String> values : arrays()) {
            String written = CanonicalJson.array(values);
            assertEquals(CanonicalJsonV1.array(values), written, () -> "array " + values);
            assertEquals(values, CanonicalJson.parseArray(written));
            update(digest, written);
        }
        for (String value : strings()) {
            String written = CanonicalJson.quote(value);
            assertEquals(CanonicalJsonV1.quote(value), written, () -> "string " + HexFormat.of().formatHex(value.getBytes(java.nio.charset.StandardCharsets.UTF_16BE)));
            update(digest, written);
        }
        assertEquals(V1_CORPUS_DIGEST, HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void textTheHandWrittenReaderAcceptedReadsToTheSameValues() {
        for (String json : List.of("{}", " { } ", "{\"a\":\"1\"}", "\t{\r\n\"b\" :\"\\/\\u00E9\\u00e9\\b\\f\\r\\n\\t\\\"\\\\\" ,\"a\":\"\"}\n",
                "{\"\\ud83d\\udea8\":\"\\uD83D\\uDEA8\"}", "{\"lone\":\"\\ud800\"}", "{\"z\":\"1\",\"a\":\"2\"}")) {
            assertEquals(CanonicalJsonV1.parseObject(json), CanonicalJson.parseObject(json), json);
        }
        for (String json : List.of("[]", " [ \"a\" , \"\" ] ", "[\"\\u0000\",\"x,y\"]")) {
            assertEquals(CanonicalJsonV1.parseArray(json), CanonicalJson.parseArray(json), json);
        }
    }

    /** Every ASCII character, the characters writers disagree on, and seeded random text across the planes. */
    private static List<String> strings() {
        List<String> strings = new ArrayList<>();
        for (char c = 0; c < 0x80; c++) {
            strings.add(String.valueOf(c));
            strings.add("a" + c + "b");
        }
        strings.addAll(List.of("", "é", "ünï", "🚨", "\u2028\u2029", "\u00ad\ufeff\ufffe\uffff", "\ud800", "\udc00", "x\ud83d",
                "\ud83d\udea8\ud83d", "</script>", "&<>'", "\u0000\u001f\u007f\u0080\u009f", "日本語", "q\" b\\ n\n t\t u\u0001"));
        Random random = new Random(20240611L);
        for (int i = 0; i < 2000; i++) {
            strings.add(randomText(random));
        }
        return strings;
    }

    private static List<Map<String, String>> objects() {
        List<Map<String, String>> objects = new ArrayList<>();
        objects.add(Map.of());
        objects.add(Map.of("c", "", "b", "2", "a", "1"));
        // String.compareTo order: upper before lower, then Latin-1, BMP, and surrogates before U+E000..U+FFFF
        objects.add(Map.of("B", "1", "a", "2", "é", "3", "Z", "4", "🚨", "5", "\uffff", "6", "", "7", "\u0001", "8", "aa", "9"));
        List<String> strings = strings();
        Random random = new Random(7L);
        for (int i = 0; i < 1000; i++) {
            Map<String, String> values = new LinkedHashMap<>();
            int size = random.nextInt(9);
            for (int j = 0; j < size; j++) {
                values.put(strings.get(random.nextInt(strings.size())), strings.get(random.nextInt(strings.size())));
            }
            objects.add(values);
        }
        return objects;
    }

    private static List<List<String>> arrays() {
        List<List<String>> arrays = new ArrayList<>();
        arrays.add(List.of());
        arrays.add(List.of("a", "", "\"", "x,y"));
        List<String> strings = strings();
        Random random = new Random(11L);
        for (int i = 0; i < 500; i++) {
            List<String> values = new ArrayList<>();
            int size = random.nextInt(6);
            for (int j = 0; j < size; j++) {
                values.add(strings.get(random.nextInt(strings.size())));
            }
            arrays.add(values);
        }
        return arrays;
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(24);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(6)) {
                case 0 -> (char) random.nextInt(0x20);
                case 1, 2 -> (char) (0x20 + random.nextInt(0x60));
                case 3 -> (char) (0x80 + random.nextInt(0x780));
                case 4 -> (char) random.nextInt(0x10000); // any UTF-16 unit, lone surrogates included
                default -> new String(Character.toChars(0x10000 + random.nextInt(0x100000 - 0x10000)));
            });
        }
        return text.toString();
    }

    /** The UTF-16 units themselves: lone surrogates must count, and UTF-8 would replace them. */
    private static void update(MessageDigest digest, String written) {
        for (int i = 0; i < written.length(); i++) {
            char c = written.charAt(i);
            digest.update((byte) (c >>> 8));
            digest.update((byte) c);
        }
        digest.update((byte) 0xff);
    }
}
