package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.role.Role;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Calls every method of a service as every {@link TestIdentity} with an empty request and checks
 * who gets through. Getting through means any answer but PERMISSION_DENIED or UNAUTHENTICATED
 * (an empty request is usually INVALID_ARGUMENT, an unbuilt method UNIMPLEMENTED); being kept
 * out is PERMISSION_DENIED. Either way authorisation is decided first.
 */
public final class AccessMatrix {
    private AccessMatrix() {}

    /**
     * @param allowed per method (bare name, e.g. "SubmitRun"), the roles that may call it; every
     *     method of the service must be listed
     */
    public static void assertEnforced(ServiceFixture fixture, ServiceDescriptor service, Map<String, Set<Role>> allowed) {
        List<String> failures = new ArrayList<>();
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            Set<Role> roles = allowed.get(method.getBareMethodName());
            if (roles == null) {
                failures.add(method.getFullMethodName() + ": no expectation in the test");
                continue;
            }
            for (TestIdentity identity : TestIdentity.values()) {
                boolean mayCall = !Collections.disjoint(roles, identity.roles());
                Status.Code actual = call(fixture, identity, method);
                boolean passed = actual != Status.Code.PERMISSION_DENIED && actual != Status.Code.UNAUTHENTICATED;
                if (passed != mayCall) {
                    failures.add(method.getBareMethodName() + " as " + identity + ": expected "
                            + (mayCall ? "to get through" : "PERMISSION_DENIED") + ", got " + actual);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> Status.Code call(ServiceFixture fixture, TestIdentity identity, MethodDescriptor<Q, R> method) {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(identity));
        try {
            Q request = ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype();
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                // a watch that got through waits for events: its deadline is the answer
                ClientCalls.blockingServerStreamingCall(channel, method,
                        CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS), request).hasNext();
            } else {
                ClientCalls.blockingUnaryCall(channel, method, options, request);
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }
}
