package dev.djlquant.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * SHA-256, SHA-1 and CRC-32 as lower-case hex strings, of bytes in memory, of a stream, or of a
 * file read as a stream (a file of any size, never held in memory whole).
 */
public final class Digests {

    private Digests() {}

    /**
     * The SHA-256 of {@code bytes}: 64 lower-case hex digits.
     *
     * @param bytes the data
     * @return the digest as hex
     */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
    }

    /**
     * The SHA-256 of the content of {@code file}, read as a stream: 64 lower-case hex digits.
     *
     * @param file the file
     * @return the digest as hex
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        return hash(file, digest("SHA-256"));
    }

    /**
     * The SHA-256 of what {@code in} reads until its end: 64 lower-case hex digits. The stream is
     * not closed.
     *
     * @param in the stream, read to its end
     * @return the digest as hex
     * @throws IOException if reading fails
     */
    public static String sha256(InputStream in) throws IOException {
        return hash(in, digest("SHA-256"));
    }

    /**
     * The SHA-1 of the content of {@code file}, read as a stream: 40 lower-case hex digits (for
     * DJL's repository metadata, which checks artifacts by SHA-1).
     *
     * @param file the file
     * @return the digest as hex
     * @throws IOException if the file cannot be read
     */
    public static String sha1(Path file) throws IOException {
        return hash(file, digest("SHA-1"));
    }

    /**
     * The CRC-32 of {@code bytes}: 8 lower-case hex digits, zero-padded.
     *
     * @param bytes the data
     * @return the checksum as hex
     */
    public static String crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has " + algorithm, e);
        }
    }

    private static String hash(Path file, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return hash(in, digest);
        }
    }

    private static String hash(InputStream in, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
