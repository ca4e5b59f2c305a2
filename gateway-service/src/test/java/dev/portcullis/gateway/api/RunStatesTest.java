package dev.portcullis.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.gateway.run.RunState;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunStatesTest {

    @Test
    void everyStateMapsToTheContractValueOfItsNameAndBack() {
        for (RunState state : RunState.values()) {
            dev.portcullis.v1.RunState proto = RunStates.toProto(state);

            assertEquals("RUN_STATE_" + state.name(), proto.name());
            assertEquals(Optional.of(state), RunStates.fromProto(proto));
        }
    }

    @Test
    void unspecifiedAndUnknownContractValuesHaveNoDomainState() {
        assertEquals(Optional.empty(), RunStates.fromProto(dev.portcullis.v1.RunState.RUN_STATE_UNSPECIFIED));
        assertEquals(Optional.empty(), RunStates.fromProto(dev.portcullis.v1.RunState.UNRECOGNIZED));
    }
}
