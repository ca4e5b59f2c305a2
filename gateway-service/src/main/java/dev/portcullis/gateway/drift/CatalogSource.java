package dev.portcullis.gateway.drift;

import dev.portcullis.catalog.Catalog;
import java.util.Optional;

/**
 * Port: the Service Catalog in force, whose drift targets the scheduler checks. Blocks on the
 * network; implementations are thread-safe.
 */
@FunctionalInterface
public interface CatalogSource {

    /**
     * The catalog the policy service decides by now; empty when it cannot be had right now (the
     * scheduler then changes nothing, rather than drop every target of a catalog it failed to read).
     */
    Optional<Catalog> current();
}
