package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCacheTest {

    @Test
    void extractsOnceAndReusesTheCopy(@TempDir Path cache) throws IOException {
        Path archive = SharedFiles.require("data/cifar10/test-jpg.tar.gz");

        ArchiveCache.Extraction first = ArchiveCache.extract(archive, cache);
        assertThat(first.extracted()).isTrue();
        assertThat(countFiles(first.directory().resolve("test"), ".jpg")).isEqualTo(10_000);
        Path sentinel = Files.writeString(first.directory().resolve("sentinel"), "kept");

        ArchiveCache.Extraction second = ArchiveCache.extract(archive, cache);
        assertThat(second.extracted()).isFalse();
        assertThat(second.directory()).isEqualTo(first.directory());
        assertThat(sentinel).hasContent("kept");
        assertThat(listNames(cache)).containsExactly(first.directory().getFileName().toString());
    }

    @Test
    void aFailedExtractionLeavesNothingBehind(@TempDir Path temp) throws IOException {
        byte[] whole = Files.readAllBytes(SharedFiles.require("data/cifar10/test-jpg.tar.gz"));
        Path truncated =
                Files.write(temp.resolve("test-jpg.tar.gz"), Arrays.copyOf(whole, 200_000));
        Path cache = temp.resolve("cache");

        assertThatThrownBy(() -> ArchiveCache.extract(truncated, cache))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(truncated.toString());
        assertThat(listNames(cache)).isEmpty();
    }

    @Test
    void missingArchiveIsNamed(@TempDir Path temp) {
        Path missing = temp.resolve("train-jpg.tar.gz");
        assertThatThrownBy(() -> ArchiveCache.extract(missing, temp.resolve("cache")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
    }

    private static long countFiles(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).toList();
        }
    }
}
