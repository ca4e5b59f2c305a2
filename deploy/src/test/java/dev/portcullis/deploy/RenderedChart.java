package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The chart as helm renders it. helm cannot run in the test build, so {@code deploy/helm/render}
 * renders {@code helm/portcullis} with real helm for each values file in {@code ci/} into
 * {@code rendered/NAME.yaml}, headed by a digest of every chart input. This class reads those
 * files with a YAML parser and recomputes the digest the way the script does, so a chart changed
 * without a new rendering fails the build instead of testing stale manifests.
 */
final class RenderedChart {
    static final Path CHART = Path.of("helm", "portcullis");
    private static final Pattern DIGEST_LINE = Pattern.compile("(?m)^# chart-digest: ([0-9a-f]{64})$");

    private final String name;
    private final String recordedDigest;
    private final List<Map<String, Object>> objects;

    private RenderedChart(String name, String recordedDigest, List<Map<String, Object>> objects) {
        this.name = name;
        this.recordedDigest = recordedDigest;
        this.objects = List.copyOf(objects);
    }

    /** Every rendering in {@code rendered/}, one per values file in {@code ci/}. */
    static List<RenderedChart> all() {
        try (Stream<Path> files = Files.list(CHART.resolve("rendered"))) {
            List<RenderedChart> charts = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                charts.add(read(file));
            }
            return charts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rendering of {@code ci/NAME-values.yaml}. */
    static RenderedChart named(String name) {
        try {
            return read(CHART.resolve("rendered").resolve(name + ".yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static RenderedChart read(Path file) throws IOException {
        String text = Files.readString(file, UTF_8);
        Matcher digest = DIGEST_LINE.matcher(text);
        String recorded = digest.find() ? digest.group(1) : "";
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(text)) {
            if (document instanceof Map<?, ?> map) {
                objects.add((Map<String, Object>) map);
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.yaml$", "");
        return new RenderedChart(name, recorded, objects);
    }

    /** SHA-256 over every chart input but {@code rendered/}, as {@code deploy/helm/render} computes it. */
    static String currentDigest() {
        try (Stream<Path> walk = Files.walk(CHART)) {
            List<String> paths = walk.filter(Files::isRegularFile)
                    .map(p -> CHART.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith("rendered/"))
                    .sorted() // byte order, as LC_ALL=C sort: the paths are ASCII
                    .toList();
            StringBuilder listing = new StringBuilder();
            for (String path : paths) {
                listing.append(path).append('\n').append(sha256(Files.readAllBytes(CHART.resolve(path)))).append('\n');
            }
            return sha256(listing.toString().getBytes(UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String name() {
        return name;
    }

    String recordedDigest() {
        return recordedDigest;
    }

    List<Map<String, Object>> objects() {
        return objects;
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> named(String kind, String objectName) {
        return ofKind(kind).stream().filter(o -> objectName.equals(Yaml.string(o, "metadata", "name"))).findFirst();
    }

    /** The pods' controllers: Deployments, and the StatefulSet of a service whose state is on a volume of its own. */
    List<Map<String, Object>> workloads() {
        List<Map<String, Object>> all = new ArrayList<>(ofKind("Deployment"));
        all.addAll(ofKind("StatefulSet"));
        return all;
    }

    /** The Deployment or StatefulSet of {@code service}. */
    Optional<Map<String, Object>> workload(String service) {
        return workloads().stream().filter(o -> ("portcullis-" + service).equals(Yaml.string(o, "metadata", "name")))
                .findFirst();
    }

    @Override
    public String toString() {
        return name;
    }
}
