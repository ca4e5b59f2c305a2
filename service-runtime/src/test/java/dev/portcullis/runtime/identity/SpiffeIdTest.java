package dev.portcullis.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/service/gateway",
            "spiffe://example.org/a",
            "spiffe://prod-1.example_org.io/ci/github/Acme/infra-live",
            "spiffe://example.org/x.y/a-b/c_d/E9",
            "spiffe://example.org/..a/a..",
    })
    void wellFormedIdIsAccepted(String text) {
        SpiffeId id = SpiffeId.parse(text);

        assertEquals(text, id.value());
        assertEquals(text, id.toString());
    }

    @Test
    void trustDomainIsTheAuthorityPart() {
        SpiffeId id = SpiffeId.parse("spiffe://prod.example.org/ci/github/acme");

        String trustDomain = id.trustDomain();

        assertEquals("prod.example.org", trustDomain);
    }

    @Test
    void segmentsAreThePathPartsInOrder() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/ci/github/acme");

        List<String> segments = id.segments();

        assertEquals(List.of("ci", "github", "acme"), segments);
    }

    @Test
    void singleSegmentPathHasOneSegment() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/gateway");

        List<String> segments = id.segments();

        assertEquals(List.of("gateway"), segments);
    }

    @Test
    void idOfExactlyTheMaximumLengthIsAccepted() {
        String prefix = "spiffe://example.org/";
        String text = prefix + "a".repeat(2048 - prefix.length());

        SpiffeId id = SpiffeId.parse(text);

        assertEquals(2048, id.value().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.org/service/gateway",
            "spiffe:/example.org/service/gateway",
            "SPIFFE://example.org/service/gateway",
            "example.org/service/gateway",
            "",
    })
    void wrongSchemeIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: scheme must be spiffe://", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://Example.org/service/gateway",
            "spiffe://EXAMPLE.ORG/service/gateway",
            "spiffe://exa mple.org/service/gateway",
            "spiffe://example.org:8443/service/gateway",
            "spiffe://user@example.org/service/gateway",
            "spiffe:///service/gateway",
    })
    void trustDomainOutsideLowercaseLettersDigitsDotsDashesAndUnderscoresIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertTrue(e.getMessage().contains("trust domain"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org//gateway",
            "spiffe://example.org/service//gateway",
            "spiffe://example.org/./gateway",
            "spiffe://example.org/service/.",
            "spiffe://example.org/../gateway",
            "spiffe://example.org/service/..",
    })
    void emptyDotAndDotDotSegmentsAreRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: path segments must not be empty, '.' or '..'", e.getMessage());
    }

    @Test
    void trailingSlashIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpiffeId.parse("spiffe://example.org/service/gateway/"));

        assertEquals("not a SPIFFE ID: path segments must not be empty, '.' or '..'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/service/gateway?x=1",
            "spiffe://example.org/service/gateway#frag",
            "spiffe://example.org/service/gateway?",
            "spiffe://example.org?x=1",
    })
    void queryAndFragmentAreRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: query and fragment are not allowed", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/service/gate way",
            "spiffe://example.org/service/gate%20way",
            "spiffe://example.org/service/gate*way",
            "spiffe://example.org/service/gäteway",
            "spiffe://example.org/service/gate:way",
            "spiffe://example.org/service/gate+way",
    })
    void segmentWithCharactersOutsideTheAllowedSetIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: path segments may hold only A-Z, a-z, 0-9, '.', '-', '_'", e.getMessage());
    }

    @Test
    void idLongerThan2048CharactersIsRejected() {
        String prefix = "spiffe://example.org/";
        String text = prefix + "a".repeat(2049 - prefix.length());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: longer than 2048 characters", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org", "spiffe://example.org/"})
    void idWithoutWorkloadPathIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));

        assertEquals("not a SPIFFE ID: a workload path is required", e.getMessage());
    }

    @Test
    void nullIsRejected() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new SpiffeId(null));

        assertEquals("value is null", e.getMessage());
    }
}
