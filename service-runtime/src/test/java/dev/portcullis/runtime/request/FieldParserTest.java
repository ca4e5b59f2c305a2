package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FieldParserTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final String TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ";

    @Test
    void wellFormedFieldIsParsed() {
        FieldParser fields = new FieldParser();

        Optional<CommitSha> sha = fields.parse("commit_sha", SHA, CommitSha::new);

        assertEquals(Optional.of(new CommitSha(SHA)), sha);
        assertDoesNotThrow(fields::throwIfInvalid);
    }

    @Test
    void everyMalformedFieldIsReportedInOrder() {
        FieldParser fields = new FieldParser();

        Optional<CommitSha> sha = fields.parse("commit_sha", "HEAD", CommitSha::new);
        fields.parse("ref", "main", GitRef::new);
        fields.parse("folder", "../x", RepoFolder::parse);
        fields.parse("repo", "infra-live", CatalogName::new);

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals(Optional.empty(), sha);
        assertEquals(
                List.of("commit_sha", "ref", "folder"),
                invalid.violations().stream().map(FieldViolation::field).toList());
        assertEquals("3 invalid fields", invalid.getMessage());
    }

    @Test
    void singleViolationIsNamedInTheMessage() {
        FieldParser fields = new FieldParser();

        fields.parse("folder", "/etc", RepoFolder::parse);

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals("invalid folder: must be relative to the repository root, not absolute", invalid.getMessage());
    }

    @Test
    void uint64AboveTheLongRangeIsRejectedAndReadAsZero() {
        FieldParser fields = new FieldParser();

        assertEquals(Long.MAX_VALUE, fields.unsigned64("from_offset", Long.MAX_VALUE));
        assertDoesNotThrow(fields::throwIfInvalid);
        assertEquals(0, fields.unsigned64("from_offset", -1)); // 2^64-1 on the wire

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals("invalid from_offset: must be at most 2^63-1", invalid.getMessage());
    }

    @Test
    void violationFoundByTheCallerIsReported() {
        FieldParser fields = new FieldParser();

        fields.reject("approvers", "must name at least one approver");

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals(
                List.of(new FieldViolation("approvers", "must name at least one approver")), invalid.violations());
    }

    @Test
    void parserRefusalWithoutAMessageIsStillAViolation() {
        FieldParser fields = new FieldParser();
        Function<String, String> silent = raw -> {
            throw new IllegalArgumentException();
        };

        fields.parse("limit", "x", silent);

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals(List.of(new FieldViolation("limit", "is malformed")), invalid.violations());
    }

    @Test
    void jdkParserThatQuotesTheInputDoesNotEchoIt() {
        FieldParser fields = new FieldParser();

        fields.parse("limit", TOKEN, Integer::parseInt);
        fields.parse("id", TOKEN, UUID::fromString);

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        for (FieldViolation violation : invalid.violations()) {
            assertFalse(violation.description().contains(TOKEN), violation.field());
        }
        assertEquals("is malformed", invalid.violations().get(0).description());
    }

    @Test
    void parserMessageWithControlCharactersIsReplaced() {
        FieldParser fields = new FieldParser();
        Function<String, String> garbling = raw -> {
            throw new IllegalArgumentException("bad\n{\"level\":\"INFO\",\"msg\":\"forged\"}\u202e");
        };

        fields.parse("name", "x", garbling);

        InvalidRequestException invalid = assertThrows(InvalidRequestException.class, fields::throwIfInvalid);
        assertEquals("is malformed", invalid.violations().get(0).description());
    }

    @Test
    void nothingIsThrownWhileNoFieldWasRejected() {
        FieldParser fields = new FieldParser();

        assertDoesNotThrow(fields::throwIfInvalid);
    }
}
