package dev.djlquant.data;

import static dev.djlquant.data.TarFixture.bytes;
import static dev.djlquant.data.TarFixture.entry;
import static dev.djlquant.data.TarFixture.gzip;
import static dev.djlquant.data.TarFixture.paxRecord;
import static dev.djlquant.data.TarFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void detectsAMissingEnd() throws IOException {
        Path archive = gzip(temp, entry("a.jpg", '0', bytes("alpha")));
        assertThatThrownBy(() -> TarGzExtractor.extract(archive, temp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("end-of-archive");
    }
}
