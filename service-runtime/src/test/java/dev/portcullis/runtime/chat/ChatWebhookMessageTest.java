package dev.portcullis.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatWebhookMessageTest {

    /** The body as the hand-written writer produced it (commit 9af78e9): receivers and their tests saw exactly this. */
    @Test
    void theBodyKeepsItsBytes() {
        ChatWebhook.Message message = new ChatWebhook.Message("alert <!channel> & \"q\" \\ \n\u0001 é🚨", "#439fe0",
                Map.of("z", "x".repeat(41), "a", "<@U1> short", "É\t", "\u2028"), "footer <b>",
                Instant.parse("2026-11-24T10:00:00.900Z"));

        assertEquals("{\"text\":\"alert &lt;!channel&gt; &amp; \\\"q\\\" \\\\ \\n\\u0001 \u00e9\ud83d\udea8\","
                + "\"attachments\":[{\"color\":\"#439fe0\",\"fallback\":\"alert &lt;!channel&gt; &amp; \\\"q\\\" \\\\ \\n\\u0001 \u00e9\ud83d\udea8\",\"fields\":[{\"title\":\"a\",\"value\":\"&lt;@U1&gt; short\",\"short\":true},{\"title\":\"z\",\"value\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"short\":false},{\"title\":\"\u00c9\\t\",\"value\":\"\u2028\",\"short\":true}],\"footer\":\"footer &lt;b&gt;\",\"ts\":1795514400}]}", message.json());
    }

    @Test
    void blocksArePostedAsEscapedMrkdwnSections() {
        ChatWebhook.Message message = new ChatWebhook.Message("t", "warning", Map.of(), "f",
                Instant.parse("2026-11-24T10:00:00Z"), List.of(new ChatWebhook.Section("*Plan:* 1 to create <!here>")));

        assertTrue(message.json().endsWith("\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\","
                + "\"text\":\"*Plan:* 1 to create &lt;!here&gt;\"}}]}"), message.json());
    }

    @Test
    void aSectionLongerThanSlackTakesIsCut() {
        ChatWebhook.Section section = new ChatWebhook.Section("x".repeat(5000));

        assertEquals(ChatWebhook.Section.MAX_TEXT, section.markdown().length());
    }
}
