package dev.portcullis.audit.alert;

import dev.portcullis.runtime.audit.AuditEvent;
import java.util.List;

/** A set of anomaly rules judged on every newly stored event, in chain order. Implementations are thread-safe. */
public interface AnomalyRules {

    /** The alerts {@code event} raises, usually none. Never blocks on I/O. */
    List<Alert> onEvent(AuditEvent event);
}
