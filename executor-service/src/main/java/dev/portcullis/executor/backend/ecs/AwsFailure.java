package dev.portcullis.executor.backend.ecs;

import java.io.IOException;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What a failed AWS call means for the next attempt. The SDK's own retries are off (see
 * {@link EcsSdkClients}): every call the runner makes is idempotent, and one backoff, driven by
 * {@link EcsConfig}, decides when to try again.
 */
enum AwsFailure {
    /** Too many requests: wait longer, then try again. */
    THROTTLED,
    /** A 5xx, a timeout or a broken connection: try again. */
    TRANSIENT,
    /** Anything else (denied, invalid, not found): trying again will not help. */
    PERMANENT;

    static AwsFailure of(SdkException failure) {
        if (failure instanceof AwsServiceException service) {
            if (service.isThrottlingException() || service.statusCode() == 429 || saysRateExceeded(service)) {
                return THROTTLED;
            }
            return service.statusCode() >= 500 ? TRANSIENT : PERMANENT;
        }
        if (failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException) {
            return TRANSIENT;
        }
        if (failure instanceof SdkClientException && hasIoCause(failure)) {
            return TRANSIENT;
        }
        return failure.retryable() ? TRANSIENT : PERMANENT;
    }

    boolean retryable() {
        return this != PERMANENT;
    }

    /** AWS's error code, or the exception's simple name when there is none; never AWS's message text. */
    static String code(SdkException failure) {
        if (failure instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return failure.getClass().getSimpleName();
    }

    // some AWS APIs have answered throttling with a generic error code and only this text
    private static boolean saysRateExceeded(AwsServiceException service) {
        String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("rate exceeded");
    }

    private static boolean hasIoCause(Throwable failure) {
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
