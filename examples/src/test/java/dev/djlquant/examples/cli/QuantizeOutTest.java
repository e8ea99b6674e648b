package dev.djlquant.examples.cli;

import static dev.djlquant.examples.cli.DjlqCliTest.djlq;
import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.zoo.CheckpointReader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantize --out}: what --force may replace, bad paths refused before the model is loaded,
 * file-system errors that say what went wrong, and a failed --publish that says the checkpoint was
 * written.
 */
class QuantizeOutTest {

    @TempDir Path tmp;

    private static Path resnet;

    @BeforeAll
    static void locate() {
        resnet =
                Path.of(System.getProperty("djlq.shared", "../../shared"))
                        .resolve("models/resnet20_cifar10.pt");
        assertThat(resnet).isRegularFile();
    }

    private static DjlqCliTest.Run quantize(String out, String... more) {
        String[] args = new String[7 + more.length];
        String[] base = {"quantize", "--model", resnet.toString(), "--spec", "int8@row", "--out"};
        System.arraycopy(base, 0, args, 0, base.length);
        args[6] = out;
        System.arraycopy(more, 0, args, 7, more.length);
        return djlq(args);
    }

    @Test
    void forceRefusesADirectoryThatIsNotACheckpointAndDeletesNothing() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("userdir/sub"));
        Files.writeString(user.resolve("y"), "y");
        Path thesis = Files.writeString(tmp.resolve("userdir/thesis.txt"), "precious");
        DjlqCliTest.Run r = quantize(tmp.resolve("userdir").toString(), "--force");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains(tmp.resolve("userdir") + ": is not a djlq checkpoint")
                .doesNotContain("Quantizing");
        assertThat(thesis).hasContent("precious");
        assertThat(user.resolve("y")).hasContent("y");
        Path file = Files.writeString(tmp.resolve("afile.txt"), "keep");
        DjlqCliTest.Run onFile = quantize(file.toString(), "--force");
        assertThat(onFile.code()).isEqualTo(2);
        assertThat(onFile.err()).contains(file + ": exists and is not a directory");
        assertThat(file).hasContent("keep");
    }

    @Test
    void anEmptyOutIsAUsageError() {
        DjlqCliTest.Run r = quantize("", "--force");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--out is empty");
    }

    @Test
    void badOutPathsAreRefusedBeforeTheModelIsLoaded() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        DjlqCliTest.Run underFile = quantize(file.resolve("ck").toString());
        assertThat(underFile.code()).isEqualTo(2);
        assertThat(underFile.err())
                .contains(
                        file.resolve("ck") + ": cannot be created: " + file + " is not a directory")
                .doesNotContain("Quantizing");
        Path ck = Files.createDirectories(tmp.resolve("ck"));
        Files.writeString(ck.resolve("manifest.json"), "{\"format\": \"djlq-checkpoint\"}");
        DjlqCliTest.Run exists = quantize(ck.toString());
        assertThat(exists.code()).isEqualTo(2);
        assertThat(exists.err())
                .contains(ck + ": already holds a djlq checkpoint", "--force")
                .doesNotContain("Quantizing");
    }

    @Test
    void aFailedPublishSaysTheCheckpointWasWritten() throws Exception {
        Path repo = tmp.resolve("repo");
        Path metadata =
                repo.resolve("model/cv/image_classification/dev/djlquant/resnet/metadata.json");
        Files.createDirectories(metadata.getParent());
        Files.writeString(metadata, "garbage");
        Path out = tmp.resolve("ck");
        DjlqCliTest.Run r =
                quantize(
                        out.toString(),
                        "--publish",
                        "resnet",
                        "--repository",
                        repo.toString(),
                        "--quiet");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .contains(
                        "checkpoint written to "
                                + out
                                + "; publishing to repository "
                                + repo.toAbsolutePath()
                                + " failed: ",
                        metadata.toString());
        CheckpointReader.verify(out);
    }

    @Test
    void fileSystemErrorsSayTheProblemAndThePath() throws Exception {
        assertThat(Djlq.describe(new AccessDeniedException("/proc/ck")))
                .isEqualTo("permission denied: /proc/ck");
        assertThat(Djlq.describe(new IOException(new NoSuchFileException("/x/y"))))
                .isEqualTo("no such file or directory: /x/y");
        // Files.createDirectories throws this, with the path only, for a component that is a file.
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertThat(Djlq.describe(new FileAlreadyExistsException(file.toString())))
                .isEqualTo("not a directory: " + file);
        assertThat(Djlq.describe(new FileSystemException("/a", null, "is full")))
                .isEqualTo("/a: is full");
        assertThat(Djlq.describe(new IllegalStateException("plain"))).isEqualTo("plain");
    }
}
