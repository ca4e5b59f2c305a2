package dev.portcullis.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The properties file the chart gives one service (its ConfigMap's {@code service.properties}). */
final class ServiceProperties {
    private ServiceProperties() {}

    static Map<String, String> of(RenderedChart chart, String service) {
        Map<String, Object> configMap = chart.named("ConfigMap", "portcullis-" + service + "-config")
                .orElseThrow(() -> new AssertionError(chart + ": no ConfigMap portcullis-" + service + "-config"));
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(Yaml.string(configMap, "data", "service.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return values;
    }
}
