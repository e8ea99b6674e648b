package dev.djlquant.data;

import static dev.djlquant.data.TarFixture.bytes;
import static dev.djlquant.data.TarFixture.entry;
import static dev.djlquant.data.TarFixture.entryDeclaring;
import static dev.djlquant.data.TarFixture.gzip;
import static dev.djlquant.data.TarFixture.paxRecord;
import static dev.djlquant.data.TarFixture.prefixedEntry;
import static dev.djlquant.data.TarFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzExtractorTest {

    @TempDir Path temp;

    @Test
    void extractsFilesDirectoriesAndLongNames() throws IOException {
        String longName = "split/" + "x".repeat(120) + ".jpg";
        String paxName = "split/" + "p".repeat(110) + ".jpg";
        Path archive =
                write(
                        temp,
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
    void aPosixPrefixIsPartOfThePathAndAGnuHeaderHasNone() throws IOException {
        String prefix = "train/" + "d".repeat(120);
        Path archive =
                write(
                        temp,
                        prefixedEntry("ustar\0" + "00", prefix, "posix.jpg", bytes("posix")),
                        prefixedEntry("ustar  \0", "atime-and-ctime", "gnu.jpg", bytes("gnu")));
        Path out = Files.createDirectory(temp.resolve("out"));

        TarGzExtractor.extract(archive, out);

        assertThat(out.resolve(prefix + "/posix.jpg")).hasContent("posix");
        assertThat(out.resolve("gnu.jpg")).hasContent("gnu");
        assertThat(out.resolve("atime-and-ctime")).doesNotExist();
    }

    @Test
    void aBase256SizeIsReadAsGnuTarWritesIt() throws IOException {
        // 70,000 bytes take three bytes of the field; the next entry starts where the size says.
        byte[] content = new byte[70_000];
        Arrays.fill(content, (byte) 7);
        Path archive =
                write(
                        temp,
                        entryDeclaring("big.bin", content.length, content),
                        entry("after.txt", '0', bytes("after")));
        Path out = Files.createDirectory(temp.resolve("out"));

        TarGzExtractor.extract(archive, out);

        assertThat(out.resolve("big.bin")).hasBinaryContent(content);
        assertThat(out.resolve("after.txt")).hasContent("after");
    }

    @Test
    void refusesEntriesOutsideTheTarget() throws IOException {
        Path archive = write(temp, entry("../evil.txt", '0', bytes("x")));
        Path out = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("../evil.txt")
                .hasMessageContaining("outside");
        assertThat(temp.resolve("evil.txt")).doesNotExist();
    }

    @Test
    void oldStyleDirectoryEntriesAreDirectories() throws IOException {
        // Pre-POSIX (V7) tar marks a directory only by the trailing slash of a regular entry.
        Path archive =
                write(
                        temp,
                        entry("./", '5', new byte[0]),
                        entry("split/", '0', new byte[0]),
                        entry("split/a.jpg", '0', bytes("alpha")));
        Path out = Files.createDirectory(temp.resolve("out"));

        TarGzExtractor.extract(archive, out);

        assertThat(out.resolve("split/a.jpg")).hasContent("alpha");
    }

    @Test
    void aFileEntryWithoutANameIsNamedInTheError() throws IOException {
        Path archive = write(temp, entry(".", '0', bytes("x")));
        Path out = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Tar entry '.'");
    }

    @Test
    void refusesLinks() throws IOException {
        Path archive = write(temp, entry("link", '2', new byte[0]));
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("type '2'");
    }

    @Test
    void detectsACorruptHeader() throws IOException {
        byte[] entry = entry("a.jpg", '0', bytes("alpha"));
        entry[0] = 'b';
        Path archive = write(temp, entry);
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void detectsDamagedFileContentThroughTheGzipChecksum() throws IOException {
        // Stored (uncompressed) deflate blocks: a flipped content byte still inflates, and only
        // the CRC-32 in the gzip trailer can tell.
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.write(entry("test/cat/a.jpg", '0', bytes("hello world")));
        tar.write(new byte[1024]);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz =
                new GZIPOutputStream(compressed) {
                    {
                        def.setLevel(Deflater.NO_COMPRESSION);
                    }
                }) {
            gz.write(tar.toByteArray());
        }
        byte[] damaged = compressed.toByteArray();
        damaged[new String(damaged, StandardCharsets.ISO_8859_1).indexOf("hello")] = 'j';
        Path archive = Files.write(temp.resolve("damaged.tar.gz"), damaged);
        Path out = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, out))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("damaged");
    }

    @Test
    void detectsAMissingGzipTrailer() throws IOException {
        byte[] whole = Files.readAllBytes(write(temp, entry("a.jpg", '0', bytes("alpha"))));
        Path archive =
                Files.write(temp.resolve("cut.tar.gz"), Arrays.copyOf(whole, whole.length - 4));
        Path out = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, out))
                .isInstanceOf(IOException.class);
    }

    @Test
    void detectsAMissingEnd() throws IOException {
        Path archive = gzip(temp, entry("a.jpg", '0', bytes("alpha")));
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("end-of-archive");
    }

    @Test
    void anEntryLargerThanTheFreeSpaceIsRefusedBeforeAnythingIsWritten() throws IOException {
        long exabyte = 1L << 60;
        Path archive = write(temp, entryDeclaring("bomb/zeros.bin", exabyte, new byte[4096]));
        Path target = Files.createDirectory(temp.resolve("out"));

        assertThatThrownBy(() -> TarGzExtractor.extract(archive, target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("zeros.bin")
                .hasMessageContaining("needs " + exabyte + " bytes");
        assertThat(target.resolve("bomb/zeros.bin")).doesNotExist();
    }
}
