package dev.portcullis.console.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void markupCharactersBecomeCharacterReferences() {
        String escaped = Html.text("<a href=\"x\" title='y'>&</a>");

        assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;", escaped);
    }

    @Test
    void controlCharactersOtherThanTabAndNewlineAreDropped() {
        String escaped = Html.text("a\u0000b\u001bc\td\ne");

        assertEquals("abc\td\ne", escaped);
    }
}
