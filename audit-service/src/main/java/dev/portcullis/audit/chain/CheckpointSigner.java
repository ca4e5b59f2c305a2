package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Signs checkpoints with an Ed25519 key and verifies them with its public half: tree checkpoints
 * as C2SP signed notes ({@link #signTree}, {@link #open}); chain-head checkpoints signed before
 * the Merkle tree ({@link Checkpoint}) are still verified. Keys are PEM
 * files (PKCS#8 "PRIVATE KEY", X.509 "PUBLIC KEY"). Thread-safe; the private key never leaves
 * this object, and {@link #toString()} names only the key id.
 */
public final class CheckpointSigner {
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private CheckpointSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = requireNonNull(privateKey, "privateKey is null");
        this.publicKey = requireNonNull(publicKey, "publicKey is null");
        this.keyId = keyId(publicKey);
    }

    /**
     * Loads the key pair from {@code privateKeyFile} (public key derived from {@code publicKeyFile}
     * next to it); creates both when {@code create} is true and they do not exist.
     */
    public static CheckpointSigner load(Path privateKeyFile, Path publicKeyFile, boolean create) {
        try {
            if (create && !Files.exists(privateKeyFile)) {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                PemFiles.writePrivateKey(privateKeyFile, pair.getPrivate());
                PemFiles.writePublicKey(publicKeyFile, pair.getPublic());
            }
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(PemFiles.readDer(privateKeyFile, "PRIVATE KEY")));
            return new CheckpointSigner(privateKey, readPublicKey(publicKeyFile));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // never the parser's message: it may quote key material
            throw new IllegalStateException("the checkpoint signing key files are not an Ed25519 key pair: "
                    + privateKeyFile + ", " + publicKeyFile);
        }
    }

    /** Reads an Ed25519 public key from a PEM file. */
    public static PublicKey readPublicKey(Path file) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(PemFiles.readDer(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not an Ed25519 public key PEM file: " + file);
        }
    }

    /** Signs the chain head {@code hash} at {@code sequence}. */
    public Checkpoint sign(long sequence, String hash, Instant signedAt) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(Checkpoint.signedBytes(sequence, hash, signedAt));
            return new Checkpoint(sequence, hash, signedAt, signer.sign(), keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint", e);
        }
    }

    /**
     * Signs the tree head of {@code size} leaves with {@code root} as a C2SP signed note whose key
     * name is the log's {@link #origin()}.
     */
    public SignedCheckpoint signTree(long size, byte[] root, Instant signedAt) {
        TreeHead head = new TreeHead(origin(), size, root);
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(head.body().getBytes(StandardCharsets.UTF_8));
            SignedNote note = new SignedNote(head.body(), List.of(new SignedNote.Line(origin(),
                    SignedNote.keyId(origin(), SignedNote.ED25519, rawKey(publicKey)), signer.sign())));
            return new SignedCheckpoint(head, note.format(), signedAt);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint", e);
        }
    }

    /**
     * The tree head in {@code note} when the note carries a valid signature by {@code publicKey}
     * under the log's origin and its body is a checkpoint of that origin; empty otherwise
     * (malformed, unsigned, signed by another key, or for another log). Signatures by other keys
     * are ignored, as the signed-note spec requires.
     */
    public static Optional<TreeHead> open(String note, PublicKey publicKey) {
        String origin = origin(publicKey);
        try {
            SignedNote parsed = SignedNote.parse(note);
            byte[] keyId = SignedNote.keyId(origin, SignedNote.ED25519, rawKey(publicKey));
            boolean signed = false;
            for (SignedNote.Line line : parsed.signatures()) {
                if (line.keyName().equals(origin) && Arrays.equals(line.keyId(), keyId)) {
                    Signature verifier = Signature.getInstance("Ed25519");
                    verifier.initVerify(publicKey);
                    verifier.update(parsed.text().getBytes(StandardCharsets.UTF_8));
                    if (!verifier.verify(line.signature())) {
                        return Optional.empty();
                    }
                    signed = true;
                }
            }
            TreeHead head = TreeHead.parse(parsed.text());
            return signed && head.origin().equals(origin) ? Optional.of(head) : Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The log's origin, also the note key name: {@code portcullis.dev/audit/} and the key id's first 16 hex digits. */
    public String origin() {
        return origin(publicKey);
    }

    /** The origin of the log signed by {@code publicKey}. */
    public static String origin(PublicKey publicKey) {
        return "portcullis.dev/audit/" + keyId(publicKey).substring(0, 16);
    }

    /**
     * The log's public key in the C2SP signed-note verifier-key form,
     * {@code ORIGIN+KEYHASH+base64(0x01 || 32-byte key)} with {@code KEYHASH} the 8 hex digits of
     * the key id: what a C2SP verifier or witness is configured with to check the checkpoints.
     */
    public static String verifierKey(PublicKey publicKey) {
        String origin = origin(publicKey);
        byte[] raw = rawKey(publicKey);
        byte[] material = new byte[1 + raw.length];
        material[0] = SignedNote.ED25519;
        System.arraycopy(raw, 0, material, 1, raw.length);
        return origin + "+" + HexFormat.of().formatHex(SignedNote.keyId(origin, SignedNote.ED25519, raw)) + "+"
                + Base64.getEncoder().encodeToString(material);
    }

    /** The 32-byte RFC 8032 encoding of an Ed25519 public key (the tail of its X.509 encoding). */
    static byte[] rawKey(PublicKey publicKey) {
        byte[] encoded = publicKey.getEncoded();
        if (!"Ed25519".equals(publicKey.getAlgorithm()) && !"EdDSA".equals(publicKey.getAlgorithm()) || encoded.length != 44) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(encoded, 12, 44);
    }

    /** True when {@code checkpoint} was signed by the holder of {@code publicKey}. */
    public static boolean verify(Checkpoint checkpoint, PublicKey publicKey) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(Checkpoint.signedBytes(checkpoint.sequence(), checkpoint.hash(), checkpoint.signedAt()));
            return verifier.verify(checkpoint.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return keyId;
    }

    /** SHA-256 of the public key's encoding, lowercase hex. */
    public static String keyId(PublicKey publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "CheckpointSigner[keyId=" + keyId + "]";
    }
}
