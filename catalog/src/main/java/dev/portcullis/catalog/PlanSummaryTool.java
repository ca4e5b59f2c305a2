package dev.portcullis.catalog;

import java.util.Arrays;
import java.util.Locale;

/** The tool whose {@code show -json} a command's plan summary is derived from ({@code summary:} in the catalog). */
public enum PlanSummaryTool {
    /** No summary is derived. */
    NONE,
    /** HashiCorp Terraform, {@code summary: terraform}. */
    TERRAFORM,
    /** OpenTofu, {@code summary: tofu}. */
    TOFU;

    /**
     * The tool written as {@code text} in the catalog.
     *
     * @throws IllegalArgumentException for anything but {@code terraform} or {@code tofu}
     */
    public static PlanSummaryTool parse(String text) {
        return switch (text) {
            case "terraform" -> TERRAFORM;
            case "tofu" -> TOFU;
            default -> throw new IllegalArgumentException("unknown summary tool '" + text + "'; allowed: "
                    + Arrays.stream(values()).filter(tool -> tool != NONE).map(tool -> tool.name().toLowerCase(Locale.ROOT)).toList());
        };
    }
}
