package dev.portcullis.runtime.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * One scrape of a {@code /metrics} endpoint over real HTTP, parsed from Prometheus' text format
 * (version 0.0.4): the samples by name and labels, and the metric families that were declared.
 * Immutable.
 */
public final class PrometheusScrape {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One sample line: {@code name{labels} value}. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }
    }

    private final String text;
    private final List<Sample> samples;
    private final Set<String> families;

    private PrometheusScrape(String text, List<Sample> samples, Set<String> families) {
        this.text = text;
        this.samples = List.copyOf(samples);
        this.families = Set.copyOf(families);
    }

    /** GETs {@code http://ADDRESS/metrics}; fails the test unless it answers 200 with text. */
    public static PrometheusScrape of(InetSocketAddress address) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/metrics");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString(UTF_8));
        assertEquals(200, response.statusCode(), "GET " + uri);
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                "content type of " + uri + ": " + response.headers().firstValue("content-type"));
        return parse(response.body());
    }

    /**
     * Scrapes {@code address} until {@code settled} holds for a scrape (for figures another thread
     * moves), and returns that scrape; fails the test with the last one after {@code timeout}.
     */
    public static PrometheusScrape awaitScrape(InetSocketAddress address, Predicate<PrometheusScrape> settled,
            Duration timeout) throws IOException, InterruptedException {
        AtomicReference<PrometheusScrape> scrape = new AtomicReference<>();
        await("the metrics settling").atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> {
                    scrape.set(of(address));
                    assertTrue(settled.test(scrape.get()),
                            () -> "the metrics did not settle within " + timeout + ":\n" + scrape.get().text());
                });
        return scrape.get();
    }

    /** Parses an exposition in the text format. */
    public static PrometheusScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Set<String> families = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
        return new PrometheusScrape(text, samples, families);
    }

    /**
     * The names of the metric families declared ({@code # TYPE}) as PromQL names them: a
     * counter with its {@code _total}, a histogram without {@code _bucket}/{@code _count}/{@code _sum}.
     */
    public Set<String> families() {
        return families;
    }

    /** Every sample named {@code name} (with its suffix: {@code _total}, {@code _count}, …). */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Whether a sample named {@code name} exists. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** The sum of the samples named {@code name} whose labels include every pair of {@code labels}; 0 when none. */
    public double sum(String name, Map<String, String> labels) {
        return sum(name, sample -> sample.labels().entrySet().containsAll(labels.entrySet()));
    }

    /** The sum of the samples named {@code name} that {@code filter} accepts; 0 when none. */
    public double sum(String name, Predicate<Sample> filter) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(filter).mapToDouble(Sample::value).sum();
    }

    /** The exposition as served, for failure messages. */
    public String text() {
        return text;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        Map<String, String> labels = new LinkedHashMap<>();
        if (brace >= 0 && brace < line.indexOf(' ')) {
            name = line.substring(0, brace);
            int at = brace + 1;
            while (line.charAt(at) != '}') {
                int eq = line.indexOf('=', at);
                String key = line.substring(at, eq);
                StringBuilder value = new StringBuilder();
                int i = eq + 2; // past ="
                for (; line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char next = line.charAt(++i);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                at = i + 1;
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            space = at + 1;
        } else {
            space = line.indexOf(' ');
            name = line.substring(0, space);
        }
        String[] rest = line.substring(space).strip().split(" ");
        String value = rest[0].replace("Inf", "Infinity");
        return new Sample(name, labels, Double.parseDouble(value));
    }
}
