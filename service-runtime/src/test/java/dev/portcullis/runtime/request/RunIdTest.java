package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunIdTest {
    private static final String ID = "3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7f";

    @Test
    void canonicalLowercaseUuidIsARunId() {
        RunId id = new RunId(ID);

        assertEquals(ID, id.value());
        assertEquals(ID, id.toString());
    }

    @Test
    void randomRunIdsAreValidAndDistinct() {
        RunId first = RunId.random();
        RunId second = RunId.random();

        assertEquals(first, new RunId(first.value()));
        assertNotEquals(first, second);
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "",
            "3F2C1E9A-7B4D-4C8E-9F10-2A3B4C5D6E7F",
            "3f2c1e9a7b4d4c8e9f102a3b4c5d6e7f",
            "{3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7f}",
            "urn:uuid:3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7f",
            "3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7",
            "3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7f0",
            "3f2c1e9-a7b4d-4c8e-9f10-2a3b4c5d6e7f",
            "1-1-1-1-1",   // UUID.fromString would take this
            ID + "\n",
            ID + "\0",
            " " + ID,
            "3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7\uff46",
            "../../3f2c1e9a-7b4d-4c8e-9f10-2a3b4c5d6e7f",
    })
    void anythingButACanonicalLowercaseUuidIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new RunId(value));

        assertEquals("must be a run id: a UUID in lowercase canonical form", refused.getMessage());
    }

    @Test
    void hugeValueIsRefusedWithoutQuotingIt() {
        String value = ID.repeat(10_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new RunId(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }
}
