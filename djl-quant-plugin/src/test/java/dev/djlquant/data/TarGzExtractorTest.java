package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives are written here byte by byte following the POSIX ustar and GNU tar layouts. */
class TarGzExtractorTest {

    @TempDir Path temp;

    @Test
    void extractsFilesDirectoriesAndLongNames() throws IOException {
        String longName = "split/" + "x".repeat(120) + ".jpg";
        String paxName = "split/" + "p".repeat(110) + ".jpg";
        Path archive =
                write(
                        entry("split/", '5', new byte[0]),
                        entry("split/a.jpg", '0', bytes("alpha")),
                        entry("././@LongLink", 'L', bytes(longName + "\0")),
                        entry("ignored-short-name", '0', bytes("long")),
                        entry("PaxHeaders/p", 'x', paxRecord("path", paxName)),
                        entry("ignored-pax-name", '0', bytes("pax")));
        Path out = Files.createDirectory(temp.resolve("out"));

        TarGzExtractor.extract(archive, out);

        assertThat(out.resolve("split/a.jpg")).hasContent("alpha");
        assertThat(out.resolve(longName)).hasContent("long");
        assertThat(out.resolve(paxName)).hasContent("pax");
        assertThat(out.resolve("ignored-short-name")).doesNotExist();
    }

    @Test
    void refusesEntriesOutsideTheTarget() throws IOException {
        Path archive = write(entry("../evil.txt", '0', bytes("x")));
        Path out = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("../evil.txt")
                .hasMessageContaining("outside");
        assertThat(temp.resolve("evil.txt")).doesNotExist();
    }

    @Test
    void refusesLinks() throws IOException {
        Path archive = write(entry("link", '2', new byte[0]));
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("type '2'");
    }

    @Test
    void detectsACorruptHeader() throws IOException {
        byte[] entry = entry("a.jpg", '0', bytes("alpha"));
        entry[0] = 'b';
        Path archive = write(entry);
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void detectsAMissingEnd() throws IOException {
        Path archive = gzip(entry("a.jpg", '0', bytes("alpha")));
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("end-of-archive");
    }

    private Path write(byte[]... entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            tar.write(e);
        }
        tar.write(new byte[1024]);
        return gzip(tar.toByteArray());
    }

    private Path gzip(byte[] tar) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(tar);
        }
        return Files.write(
                Files.createTempFile(temp, "archive", ".tar.gz"), compressed.toByteArray());
    }

    /** One ustar header block followed by the content padded to 512 bytes. */
    private static byte[] entry(String name, char type, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644\0");
        put(header, 108, "0000000\0");
        put(header, 116, "0000000\0");
        put(header, 124, String.format("%011o\0", content.length));
        put(header, 136, "00000000000\0");
        header[156] = (byte) type;
        put(header, 257, "ustar\0" + "00");
        put(header, 148, "        ");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, String.format("%06o\0 ", sum));
        byte[] block = new byte[512 + (content.length + 511) / 512 * 512];
        System.arraycopy(header, 0, block, 0, 512);
        System.arraycopy(content, 0, block, 512, content.length);
        return block;
    }

    private static byte[] paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int length = body.length() + 1;
        while (String.valueOf(length).length() + body.length() != length) {
            length++;
        }
        return bytes(length + body);
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] b = bytes(text);
        System.arraycopy(b, 0, header, offset, b.length);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
