package dev.portcullis.executor.plan;

/** The tool whose {@code show -json} output a plan summary is derived from; both write the same JSON. */
public enum PlanTool {
    TERRAFORM("terraform"),
    TOFU("tofu");

    private final String command;

    PlanTool(String command) {
        this.command = command;
    }

    /** The program's name, looked up on the task's PATH: {@code terraform} or {@code tofu}. */
    public String command() {
        return command;
    }
}
