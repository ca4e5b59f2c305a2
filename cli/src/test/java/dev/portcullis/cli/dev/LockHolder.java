package dev.portcullis.cli.dev;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Another process for {@link DataDirectoryLockTest}: {@code hold-exclusive DIR} or
 * {@code hold-shared DIR} takes the lock as {@code portcullis dev} or {@code dev serve} would, says
 * so on stdout and holds it until stdin closes or it is killed; {@code try-exclusive DIR} tries
 * once and says whether it got the lock.
 */
final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
        Path dataDir = Path.of(args[1]);
        switch (args[0]) {
            case "hold-exclusive" -> hold(DataDirectoryLock.acquire(dataDir, Clock.systemUTC()));
            case "hold-shared" -> hold(DataDirectoryLock.share(dataDir));
            case "try-exclusive" -> {
                try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, Clock.systemUTC())) {
                    System.out.println("acquired");
                } catch (IllegalStateException e) {
                    System.out.println("refused: " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static void hold(DataDirectoryLock lock) throws IOException {
        try (lock) {
            System.out.println("locked by pid " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() != -1) {
                // holds the lock until the test closes stdin or kills this process
            }
        }
    }
}
