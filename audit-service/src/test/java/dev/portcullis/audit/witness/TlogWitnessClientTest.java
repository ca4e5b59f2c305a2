package dev.portcullis.audit.witness;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.SignedNote;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's side of C2SP tlog-witness {@code add-checkpoint} and of C2SP tlog-cosignature,
 * checked against the examples in the specs' text (c2sp.org/tlog-witness,
 * c2sp.org/tlog-cosignature) and against answers of a witness on loopback over HTTPS.
 */
class TlogWitnessClientTest {
    /** The checkpoint of the tlog-witness example request, its two signature lines included. */
    static final String SPEC_CHECKPOINT = """
            example.com/behind-the-sofa
            20852163
            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

            — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
            — example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
            """;
    /** The tlog-witness example request body. */
    static final String SPEC_REQUEST = """
            old 20852014
            PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
            jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
            5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
            /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

            """ + SPEC_CHECKPOINT;
    /** The tlog-witness example response body: three cosignatures by two witnesses. */
    static final String SPEC_RESPONSE = """
            — witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==
            — witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==
            — witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==
            """;
    /** The tlog-cosignature example of the Ed25519 signed message. */
    static final String SPEC_COSIGNED_MESSAGE = """
            cosignature/v1
            time 1679315147
            example.com/behind-the-sofa
            20852163
            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
            """;

    @TempDir
    Path dir;

    private TestPki pki;
    private CheckpointSigner signer;
    private TlogWitnessServer witness;

    @BeforeEach
    void witness() {
        pki = TestPki.create(dir.resolve("pki"));
        signer = CheckpointSigner.load(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"), true);
        witness = new TlogWitnessServer(pki, signer.publicKey());
    }

    @AfterEach
    void close() {
        witness.close();
    }

    private TlogWitnessClient client(List<CosignerKey> cosigners) {
        return new TlogWitnessClient("witness.test", witness.url(), PemFiles.trustingOnly(pki.caFile()), Duration.ofSeconds(30),
                cosigners);
    }

    private static SignedCheckpoint specCheckpoint() {
        return new SignedCheckpoint(TreeHead.parse(SignedNote.parse(SPEC_CHECKPOINT).text()), SPEC_CHECKPOINT, Instant.EPOCH);
    }

    private static List<byte[]> specProof() {
        return SPEC_REQUEST.lines().skip(1).limit(4).map(Base64.getDecoder()::decode).toList();
    }

    @Test
    void theRequestBodyIsTheSpecsExampleByteForByte() throws Exception {
        witness.answer(422, "text/plain", "not checked here\n");

        client(List.of()).submit(20852014, specProof(), specCheckpoint());

        assertEquals(SPEC_REQUEST, witness.lastBody());
    }

    @Test
    void theSpecsExampleResponseIsACosignatureWhenNoWitnessKeyIsConfigured() throws Exception {
        witness.answer(200, "text/plain; charset=utf-8", SPEC_RESPONSE);

        CheckpointWitness.WitnessAnswer answer = client(List.of()).submit(20852014, specProof(), specCheckpoint());

        assertEquals(new CheckpointWitness.WitnessAnswer.Cosigned(List.of()), answer);
    }

    @Test
    void aConflictCarriesTheWitnessesSizeFromItsTlogSizeBody() throws Exception {
        witness.answer(409, "text/x.tlog.size", "20852014\n");

        CheckpointWitness.WitnessAnswer answer = client(List.of()).submit(0, List.of(), specCheckpoint());

        assertEquals(new CheckpointWitness.WitnessAnswer.Conflict(20852014), answer);
    }

    @Test
    void aConflictWithoutTheTlogSizeContentTypeIsAFailure() {
        witness.answer(409, "text/plain", "20852014\n");

        IOException failed = assertThrows(IOException.class, () -> client(List.of()).submit(0, List.of(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("409 without a text/x.tlog.size tree size"), failed.getMessage());
    }

    @Test
    void anUnprocessableEntityIsARejectedProof() throws Exception {
        witness.answer(422, "text/plain", "bad proof\n");

        CheckpointWitness.WitnessAnswer answer = client(List.of()).submit(20852014, specProof(), specCheckpoint());

        assertEquals(new CheckpointWitness.WitnessAnswer.ProofRejected(), answer);
    }

    @Test
    void aWitnessThatDoesNotKnowTheOriginFailsSayingSo() {
        witness.answer(404, "text/plain", "unknown log\n");

        IOException failed = assertThrows(IOException.class, () -> client(List.of()).submit(0, List.of(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("does not know the log's origin (404)"), failed.getMessage());
    }

    @Test
    void aWitnessThatTrustsNoKeyOfTheCheckpointFailsSayingSo() {
        witness.answer(403, "text/plain", "forbidden\n");

        IOException failed = assertThrows(IOException.class, () -> client(List.of()).submit(0, List.of(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("trusts no key the checkpoint is signed with (403)"), failed.getMessage());
    }

    @Test
    void aSuccessWithoutSignatureLinesIsAFailure() {
        witness.answer(200, "text/plain", "ok\n");

        IOException failed = assertThrows(IOException.class, () -> client(List.of()).submit(0, List.of(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("without note signature lines"), failed.getMessage());
    }

    @Test
    void aCosignatureOfTheSpecsSignedMessageVerifiesAndCarriesItsTime() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String line = cosignatureLine("witness.example/w1", key, 1679315147L, SPEC_COSIGNED_MESSAGE);
        witness.answer(200, "text/plain", line + "\n" + SPEC_RESPONSE);

        CheckpointWitness.WitnessAnswer answer = client(List.of(CosignerKey.parse(verifierKey("witness.example/w1", key))))
                .submit(20852014, specProof(), specCheckpoint());

        assertEquals(new CheckpointWitness.WitnessAnswer.Cosigned(List.of(
                new Cosignature("witness.example/w1", Instant.ofEpochSecond(1679315147L), line))), answer);
    }

    @Test
    void aCosignatureByTheConfiguredKeyOverAnotherMessageIsAFailure() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String line = cosignatureLine("witness.example/w1", key, 1679315147L, SPEC_COSIGNED_MESSAGE.replace("20852163", "20852164"));
        witness.answer(200, "text/plain", line + "\n");

        IOException failed = assertThrows(IOException.class, () -> client(List.of(CosignerKey.parse(
                verifierKey("witness.example/w1", key)))).submit(20852014, specProof(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("cosignature by witness.example/w1 that does not verify"), failed.getMessage());
    }

    @Test
    void anAnswerWithOnlyOtherWitnessesCosignaturesIsAFailureWhenAKeyIsConfigured() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        witness.answer(200, "text/plain", SPEC_RESPONSE);

        IOException failed = assertThrows(IOException.class, () -> client(List.of(CosignerKey.parse(
                verifierKey("witness.example/w3", key)))).submit(20852014, specProof(), specCheckpoint()));

        assertTrue(failed.getMessage().contains("without a cosignature by witness.example/w3"), failed.getMessage());
    }

    @Test
    void theWitnessOnLoopbackCosignsACheckpointOfTheLogThatVerifiesWithItsVerifierKey() throws Exception {
        SignedCheckpoint checkpoint = signer.signTree(1, new byte[32], Instant.parse("2026-12-07T10:00:00Z"));

        CheckpointWitness.WitnessAnswer answer = client(List.of(CosignerKey.parse(witness.verifierKey())))
                .submit(0, List.of(), checkpoint);

        List<Cosignature> cosignatures = ((CheckpointWitness.WitnessAnswer.Cosigned) answer).cosignatures();
        assertEquals(1, cosignatures.size());
        assertEquals(TlogWitnessServer.NAME, cosignatures.get(0).keyName());
    }

    @Test
    void aVerifierKeyWhoseHashDoesNotMatchItsKeyIsRefused() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String vkey = verifierKey("witness.example/w1", key);
        String wrongHash = vkey.replaceFirst("\\+[0-9a-f]{8}\\+", "+00000000+");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CosignerKey.parse(wrongHash));

        assertTrue(refused.getMessage().contains("hash does not match"), refused.getMessage());
    }

    @Test
    void aLogVerifierKeyOfType1IsNotAWitnessKey() {
        String logKey = CheckpointSigner.verifierKey(signer.publicKey());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CosignerKey.parse(logKey));

        assertTrue(refused.getMessage().contains("type 0x04"), refused.getMessage());
    }

    /** A cosignature line written from the tlog-cosignature text: key id, 8-byte big-endian time, Ed25519 signature. */
    static String cosignatureLine(String name, KeyPair key, long time, String message) throws Exception {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(key.getPrivate());
        signature.update(message.getBytes(UTF_8));
        ByteBuffer blob = ByteBuffer.allocate(4 + 8 + 64);
        blob.put(SignedNote.keyId(name, (byte) 0x04, raw(key))).putLong(time).put(signature.sign());
        return "— " + name + " " + Base64.getEncoder().encodeToString(blob.array());
    }

    static String verifierKey(String name, KeyPair key) {
        byte[] material = new byte[33];
        material[0] = 0x04;
        System.arraycopy(raw(key), 0, material, 1, 32);
        return name + "+" + HexFormat.of().formatHex(SignedNote.keyId(name, (byte) 0x04, raw(key))) + "+"
                + Base64.getEncoder().encodeToString(material);
    }

    private static byte[] raw(KeyPair key) {
        byte[] encoded = key.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }
}
