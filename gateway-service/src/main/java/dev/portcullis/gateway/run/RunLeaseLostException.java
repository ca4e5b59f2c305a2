package dev.portcullis.gateway.run;

/**
 * A write for a run this replica drives was refused, nothing written: the replica no longer
 * holds the run's lease (it ran out, or another replica took the run over). The replica stops
 * its work on the run; it never reaches a caller.
 */
public final class RunLeaseLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunLeaseLostException() {
        super("run lease lost", null, false, false);
    }
}
