package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

/**
 * One attack of the hostile corpus, as data: which RPC it calls, as whom, with what input, what
 * must come back, and the audit event the refusal must leave (every case's refusal is audited).
 *
 * @param request the message {@code rpc} sends (for {@link HostileRpc#SUBMIT_RUN_BYTES}, the raw bytes)
 */
record HostileCase(String name, HostileRpc rpc, CorpusCaller caller, Object request, ExpectedOutcome expected,
        ExpectedAudit audit) {
    HostileCase {
        requireNonNull(name, "name is null");
        requireNonNull(rpc, "rpc is null");
        requireNonNull(caller, "caller is null");
        requireNonNull(request, "request is null");
        requireNonNull(expected, "expected is null");
        requireNonNull(audit, "audit is null");
        if (!rpc.accepts(request)) {
            throw new IllegalArgumentException("case '" + name + "': " + rpc + " does not send a "
                    + request.getClass().getSimpleName());
        }
    }
}
