package dev.portcullis.console.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hidden fields of the first form in a page, as a browser would submit them. */
public final class FormFields {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

    private FormFields() {}

    public static Map<String, String> of(String page) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = HIDDEN.matcher(page);
        while (matcher.find()) {
            fields.putIfAbsent(matcher.group(1), unescape(matcher.group(2)));
        }
        return fields;
    }

    private static String unescape(String text) {
        return text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
