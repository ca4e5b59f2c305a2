package dev.portcullis.gateway.run;

/** The tool whose {@code show -json} output a plan summary is derived from. */
public enum PlanTool {
    /** No summary is derived. */
    NONE,
    /** HashiCorp Terraform. */
    TERRAFORM,
    /** OpenTofu: same CLI and JSON plan format. */
    TOFU
}
