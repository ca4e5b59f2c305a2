package dev.portcullis.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's exit-status table lists exactly the statuses the CLI exits with. */
class ExitStatusReadmeTest {
    private static final Path README = Path.of("../README.md").toAbsolutePath().normalize();
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\|", Pattern.MULTILINE);

    @Test
    void theReadmeTableListsEveryExitStatusOnce() throws IOException {
        String text = Files.readString(README);
        int start = text.indexOf("## Exit statuses");
        int end = text.indexOf("\n## ", start + 1);
        Matcher rows = ROW.matcher(text.substring(start, end));
        List<Integer> documented = new ArrayList<>();
        while (rows.find()) {
            documented.add(Integer.parseInt(rows.group(1)));
        }
        assertEquals(Arrays.stream(ExitStatus.values()).map(ExitStatus::code).toList(), documented);
    }
}
