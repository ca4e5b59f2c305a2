package dev.portcullis.gateway.server;

import java.nio.file.Path;
import java.util.Map;

/** The gateway's audit outbox in its embedded H2 run database (dev mode). */
class H2GatewayAuditOutboxTest extends GatewayAuditOutboxContract {
    @Override
    protected Map<String, Object> database(Path dir) {
        return Map.of("portcullis.gateway.store.data-dir", dir.resolve("gateway").toString());
    }

    @Override
    protected void dropDatabase() {
        // the file database goes with the test's directory
    }
}
