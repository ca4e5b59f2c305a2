package dev.portcullis.audit.alert;

/**
 * Where stored alerts go to be delivered to the outside (chat webhooks): the pipeline's port, so
 * alert detection does not depend on how alerts travel ({@code alert.delivery} implements it).
 */
public interface AlertDelivery {
    /** Queues {@code alert} for delivery; never blocks on a receiver. */
    void dispatch(StoredAlert alert);
}
