package dev.portcullis.cli.dev;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.dev.issuer.DevTokens;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis dev token}: mints a fresh DEV ONLY identity token from the issuer of a dev
 * data directory, for the demo repository at a commit and ref. Dev tokens expire and each submits
 * only a few runs, so the walk-through needs a way to get another. Prints where it wrote the token,
 * never the token.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {
            "Mints a DEV ONLY OIDC identity token (GitHub-shaped) for the demo repository from the issuer of a dev data"
                    + " directory, valid 1 h, written with mode 0600; the token itself is not printed.",
            "Use it as a CI job would: ./portcullis plan ... --id-token-file FILE. The dev gateway accepts it while the"
                    + " `portcullis dev` that started the issuer runs."})
public final class DevTokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".portcullis",
            description = "The dev data directory whose issuer signs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ref", paramLabel = "REF", defaultValue = "refs/heads/main",
            description = "The token's ref, a full ref name (default: ${DEFAULT-VALUE}).")
    String ref;

    @Option(names = "--commit", paramLabel = "SHA",
            description = "The token's commit, 40 hex (default: what REF names in DATA_DIR/repos/example).")
    Optional<String> commit;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the token (default: DATA_DIR/ci-token.jwt).")
    Optional<Path> out;

    @Override
    public Integer call() {
        GitRef gitRef = parse("--ref", () -> new GitRef(ref));
        DevTokens tokens;
        try {
            tokens = DevTokens.in(dataDir, Clock.systemUTC());
        } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), "--data-dir: " + e.getMessage());
        }
        CommitSha sha = commit.isPresent() ? parse("--commit", () -> new CommitSha(commit.get()))
                : DemoRepository.commitOf(dataDir.toAbsolutePath().resolve("repos").resolve("example"), gitRef.value());
        Path file = out.orElse(DevMode.ciTokenFile(dataDir)).toAbsolutePath();
        Instant expires = tokens.mintTo(file, sha, gitRef);
        PrintWriter printed = spec.commandLine().getOut();
        printed.println("DEV ONLY: wrote " + file + ": a token of the dev issuer " + tokens.issuer() + " for "
                + DevTokens.REPOSITORY + " at " + sha.value() + " (" + gitRef.value() + "), valid until " + expires);
        printed.flush();
        return ExitStatus.SUCCESS.code();
    }

    private <T> T parse(String option, Supplier<T> value) {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + " " + e.getMessage());
        }
    }
}
