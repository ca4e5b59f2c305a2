package dev.portcullis.runtime.database;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 database dev mode's services keep their runs, tasks and audit log in: what a
 * commit acknowledged is in the file when the process is killed right after it.
 */
class EmbeddedH2DurabilityTest {
    @TempDir
    Path dir;

    @Test
    void aCommitSurvivesTheProcessBeingKilledRightAfterIt() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CommitThenDie.class.getName(),
                Databases.embeddedH2(dir, "durable"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child did not finish within 60 s");
        }
        assertEquals(CommitThenDie.KILLED, child.exitValue(), "the child committed and was cut off");

        try (Connection connection = DriverManager.getConnection(Databases.embeddedH2(dir, "durable"), "sa", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM acknowledged")) {
            rows.next();
            assertEquals(CommitThenDie.ROWS, rows.getInt(1));
        }
    }

    /** Commits rows one transaction each, then halts at once: no shutdown hook, no close, as a SIGKILL leaves it. */
    static final class CommitThenDie {
        static final int ROWS = 20;
        static final int KILLED = 137;

        public static void main(String[] args) throws Exception {
            Connection connection = DriverManager.getConnection(args[0], "sa", "");
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)");
                for (int i = 0; i < ROWS; i++) {
                    statement.execute("INSERT INTO acknowledged VALUES (" + i + ")");
                }
            }
            Runtime.getRuntime().halt(KILLED);
        }
    }
}
