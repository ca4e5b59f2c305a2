package dev.portcullis.bench;

import dev.portcullis.runtime.json.CanonicalJson;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Entry point of {@code bench/run NAME [--json]}. */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        boolean json = arguments.contains("--json");
        String name = arguments.stream().filter(a -> !a.startsWith("--")).findFirst().orElse("");
        ReliabilityBench reliability = new ReliabilityBench();
        Map<String, Figure> figures = switch (name) {
            case "grpc-baseline" -> new GrpcBaseline().run();
            case "policy" -> new PolicyBench().run();
            case "audit" -> new AuditBench().run();
            case "redaction" -> new RedactionBench().run();
            case "ingest-webhooks" -> new WebhookIngestBench().run();
            case "reliability" -> reliability.run(arguments);
            case "run-latency" -> new RunLatencyBench().run(arguments);
            case "cli-start" -> new CliStartBench().run(arguments);
            default -> {
                System.err.println("bench: unknown benchmark '" + name + "'; available: grpc-baseline, policy, audit, redaction, ingest-webhooks, reliability, run-latency, cli-start");
                System.exit(2);
                yield Map.of();
            }
        };
        System.out.println(json ? json(name, figures) : table(name, figures));
        // the reliability suite's verdict is its exit status: anything lost or doubled fails it
        System.exit(name.equals("reliability") && !reliability.passed() ? 1 : 0);
    }

    /**
     * One figure, with its unit and what it is. {@code measured} false: the figure was not
     * measured this time, printed as "not run" (never as a number).
     */
    record Figure(double value, String unit, String meaning, boolean measured) {
        Figure(double value, String unit, String meaning) {
            this(value, unit, meaning, true);
        }

        static Figure notRun(String unit, String meaning) {
            return new Figure(0, unit, meaning, false);
        }
    }

    static String json(String name, Map<String, Figure> figures) {
        return CanonicalJson.write(json -> {
            json.writeStartObject();
            json.writeStringField("benchmark", name);
            for (Map.Entry<String, Figure> figure : figures.entrySet()) {
                json.writeFieldName(figure.getKey());
                if (figure.getValue().measured()) {
                    json.writeNumber(format(figure.getValue().value())); // as the table prints it
                } else {
                    json.writeString("not run");
                }
            }
            json.writeEndObject();
        });
    }

    static String table(String name, Map<String, Figure> figures) {
        StringBuilder out = new StringBuilder("benchmark " + name + "\n");
        int width = figures.keySet().stream().mapToInt(String::length).max().orElse(10);
        figures.forEach((key, figure) -> out.append(String.format("  %-" + width + "s %12s %-8s %s%n",
                key, figure.measured() ? format(figure.value()) : "not run", figure.unit(), figure.meaning())));
        return out.toString();
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
