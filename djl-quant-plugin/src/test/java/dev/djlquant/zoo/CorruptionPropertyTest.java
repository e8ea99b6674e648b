package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.djlquant.QuantConfig;
import dev.djlquant.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random damage to any file of a checkpoint never yields a model. */
class CorruptionPropertyTest {

    private static Path root;
    private static Path checkpoint;
    private static final Map<Path, byte[]> PRISTINE = new LinkedHashMap<>();

    @BeforeContainer
    static void write() throws Exception {
        root = Files.createTempDirectory("djlq-corruption");
        checkpoint = root.resolve("tiny");
        CheckpointCorruptionTest.writeTiny(checkpoint, QuantConfig.builder().setScheme("dt4@row"));
        try (var files = Files.list(checkpoint)) {
            for (Path f : files.sorted().toList()) {
                PRISTINE.put(f, Files.readAllBytes(f));
            }
        }
    }

    @AfterContainer
    static void delete() throws Exception {
        AtomicFiles.deleteRecursively(root);
    }

    enum Damage {
        FLIP,
        TRUNCATE,
        APPEND
    }

    @Property(tries = 150)
    void damagedCheckpointsNeverLoad(
            @ForAll @IntRange(min = 0, max = 2) int fileIndex,
            @ForAll Damage damage,
            @ForAll long seed)
            throws Exception {
        List<Path> files = new ArrayList<>(PRISTINE.keySet());
        Path file = files.get(fileIndex);
        byte[] original = PRISTINE.get(file);
        Random random = new Random(seed);
        byte[] damaged;
        switch (damage) {
            case FLIP:
                damaged = original.clone();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
                }
                break;
            case TRUNCATE:
                damaged = Arrays.copyOf(original, random.nextInt(original.length));
                break;
            default:
                damaged = Arrays.copyOf(original, original.length + 1 + random.nextInt(16));
                break;
        }
        Files.write(file, damaged);
        try {
            Exception failure = null;
            try (ZooModel<NDList, NDList> m =
                    CheckpointReader.load(checkpoint, NDList.class, NDList.class)) {
                throw new AssertionError(damage + " of " + file + " loaded a model: " + m);
            } catch (Exception e) {
                failure = e;
            }
            assertThat(failure).isInstanceOf(CheckpointException.class);
            assertThat(((CheckpointException) failure).file()).isEqualTo(file);
            assertThat(failure.getMessage()).contains(file.toString());
        } finally {
            Files.write(file, original);
        }
    }
}
