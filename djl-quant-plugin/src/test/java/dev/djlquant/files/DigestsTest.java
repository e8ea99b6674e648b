package dev.djlquant.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digests against the published test vectors, and a file's digest against its bytes'. */
class DigestsTest {

    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @Test
    void knownVectors(@TempDir Path tmp) throws IOException {
        Path file = Files.write(tmp.resolve("abc"), ABC);
        String sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(Digests.sha256(ABC)).isEqualTo(sha256);
        assertThat(Digests.sha256(file)).isEqualTo(sha256);
        assertThat(Digests.sha1(file)).isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
        assertThat(Digests.crc32(ABC)).isEqualTo("352441c2");
    }

    @Test
    void aFileLargerThanTheBufferIsHashedWhole(@TempDir Path tmp) throws IOException {
        byte[] bytes = new byte[200_001];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(tmp.resolve("big"), bytes);
        assertThat(Digests.sha256(file)).isEqualTo(Digests.sha256(bytes));
    }
}
