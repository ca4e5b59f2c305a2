package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.transport.ErrorStatus;
import io.grpc.Status;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every request fuzz test checks: bytes that are a request message go through the
 * service's api adapter and come out as domain values or as an invalid-request refusal that
 * the error mapper turns into INVALID_ARGUMENT. Any other exception (a NullPointerException, a
 * DateTimeException, an ArithmeticException, an IllegalStateException) escapes and fails the
 * test: on the wire it would have been INTERNAL.
 */
public final class RequestFuzzing {
    private RequestFuzzing() {}

    /**
     * The message in {@code input}, or empty when the bytes are none: the server answers those
     * before any adapter runs (INVALID_ARGUMENT, REQUEST_MALFORMED).
     */
    public static <M extends Message> Optional<M> message(Parser<M> parser, byte[] input) {
        try {
            return Optional.of(parser.parseFrom(input));
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    /** The adapter's result, or empty when it refused the request as invalid (checked to map to INVALID_ARGUMENT). */
    public static <T> Optional<T> parsedOrRefused(Supplier<T> adapter) {
        try {
            return Optional.of(adapter.get());
        } catch (DomainException refused) {
            assertEquals(DomainException.Kind.INVALID, refused.kind(), refused::getMessage);
            assertFalse(refused.reason().isBlank());
            if (refused instanceof InvalidRequestException invalid) {
                assertFalse(invalid.violations().isEmpty());
                invalid.violations().forEach(v -> assertFalse(v.field().isBlank() || v.description().isBlank(), v::toString));
            }
            assertEquals(Status.Code.INVALID_ARGUMENT, ErrorStatus.of(refused).getStatus().getCode());
            return Optional.empty();
        }
    }
}
