package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCacheTest {

    @Test
    void extractsOnceAndReusesTheCopy(@TempDir Path temp) throws IOException {
        Path archive =
                TarFixture.write(
                        temp, TarFixture.entry("test/cat/a.jpg", '0', TarFixture.bytes("a")));
        Path cache = temp.resolve("cache");

        ArchiveCache.Extraction first = ArchiveCache.extract(archive, cache);
        assertThat(first.extracted()).isTrue();
        assertThat(first.directory().resolve("test/cat/a.jpg")).hasContent("a");
        Path sentinel = Files.writeString(first.directory().resolve("sentinel"), "kept");

        ArchiveCache.Extraction second = ArchiveCache.extract(archive, cache);
        assertThat(second.extracted()).isFalse();
        assertThat(second.directory()).isEqualTo(first.directory());
        assertThat(sentinel).hasContent("kept");
        assertThat(listNames(cache)).containsExactly(first.directory().getFileName().toString());
    }

    @Test
    void aChangedArchiveGetsAFreshCopy(@TempDir Path temp) throws IOException {
        Path cache = temp.resolve("cache");
        Path archive = temp.resolve("data.tar.gz");
        Files.move(
                TarFixture.write(temp, TarFixture.entry("f", '0', TarFixture.bytes("old"))),
                archive);
        Path before = ArchiveCache.extract(archive, cache).directory();
        Files.move(
                TarFixture.write(temp, TarFixture.entry("f", '0', TarFixture.bytes("new"))),
                archive,
                StandardCopyOption.REPLACE_EXISTING);

        ArchiveCache.Extraction after = ArchiveCache.extract(archive, cache);

        assertThat(after.extracted()).isTrue();
        assertThat(after.directory()).isNotEqualTo(before);
        assertThat(after.directory().resolve("f")).hasContent("new");
        assertThat(after.directory().getFileName().toString()).startsWith("data-");
    }

    @Test
    void theCopyIsNamedAfterTheArchiveAndTheFirst16HexDigitsOfItsSha256(@TempDir Path temp)
            throws Exception {
        Path archive = dataArchive(temp);
        String sha256 =
                HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(Files.readAllBytes(archive)));

        Path copy = ArchiveCache.extract(archive, temp.resolve("cache")).directory();

        // Copies extracted by earlier versions are found again only if the name stays the same.
        assertThat(copy.getFileName().toString()).isEqualTo("data-" + sha256.substring(0, 16));
    }

    @Test
    void partialDirectoriesOlderThanAnHourAreRemovedByTheNextExtraction(@TempDir Path temp)
            throws IOException {
        Path archive = dataArchive(temp);
        Path cache = temp.resolve("cache");
        Path killed = partial(cache.resolve(".data.partial-1"), Duration.ofHours(2));
        Path running = partial(cache.resolve(".data.partial-2"), Duration.ofMinutes(5));
        Path otherArchive = partial(cache.resolve(".other.partial-3"), Duration.ofHours(2));

        Path copy = ArchiveCache.extract(archive, cache).directory();

        assertThat(killed).doesNotExist();
        assertThat(running.resolve("sub/part.jpg")).hasContent("partial");
        assertThat(otherArchive.resolve("sub/part.jpg")).hasContent("partial");
        assertThat(listNames(cache))
                .containsExactlyInAnyOrder(
                        copy.getFileName().toString(), ".data.partial-2", ".other.partial-3");
    }

    /** {@code data.tar.gz} in {@code dir}, holding one small file. */
    private static Path dataArchive(Path dir) throws IOException {
        return Files.move(
                TarFixture.write(dir, TarFixture.entry("f", '0', TarFixture.bytes("x"))),
                dir.resolve("data.tar.gz"));
    }

    /** A partial directory with a nested file, last modified {@code age} ago. */
    private static Path partial(Path dir, Duration age) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/part.jpg"), "partial");
        Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(age)));
        return dir;
    }

    @Test
    void aFailedExtractionLeavesNothingBehind(@TempDir Path temp) throws IOException {
        byte[] whole = Files.readAllBytes(SharedFiles.require("data/cifar10/test-jpg.tar.gz"));
        Path truncated =
                Files.write(temp.resolve("test-jpg.tar.gz"), Arrays.copyOf(whole, 200_000));
        Path cache = temp.resolve("cache");

        assertThatThrownBy(() -> ArchiveCache.extract(truncated, cache))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(truncated.toString())
                // ... and why: the cause's message, not only the paths.
                .satisfies(
                        e ->
                                assertThat(e.getMessage())
                                        .startsWith(
                                                "Cannot extract "
                                                        + truncated
                                                        + " into "
                                                        + cache
                                                        + ": ")
                                        .endsWith(reason(e.getCause())));
        // Not even the cache directory that it created.
        assertThat(cache).doesNotExist();

        Files.createDirectory(cache);
        assertThatThrownBy(() -> ArchiveCache.extract(truncated, cache))
                .isInstanceOf(IOException.class);
        assertThat(listNames(cache)).isEmpty();
    }

    private static String reason(Throwable cause) {
        return cause.getMessage() == null ? "unexpected end of the archive" : cause.getMessage();
    }

    @Test
    void aCacheDirectoryThatIsAFileIsSaidToBeOne(@TempDir Path temp) throws IOException {
        Path archive = SharedFiles.require("data/cifar10/test-jpg.tar.gz");
        Path file = Files.writeString(temp.resolve("cache"), "x");
        assertThatThrownBy(() -> ArchiveCache.extract(archive, file))
                .hasMessageContaining(file + ": is not a directory");
    }

    @Test
    void missingArchiveIsNamed(@TempDir Path temp) {
        Path missing = temp.resolve("train-jpg.tar.gz");
        assertThatThrownBy(() -> ArchiveCache.extract(missing, temp.resolve("cache")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).toList();
        }
    }
}
