package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import dev.djlquant.examples.cli.DjlqErrorMessagesTest.Run;
import dev.djlquant.files.Digests;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a checkpoint's manifest records as the source of its float weights. */
class QuantizeSourceTest {

    @TempDir static Path tmp;

    /** AlexNet-CIFAR saved by DJL's Model.save. */
    private static Path dir;

    @BeforeAll
    static void saveAlexNet() throws Exception {
        Path shared = Path.of(System.getProperty("djlq.shared", "../../shared"));
        dir = Files.createDirectories(tmp.resolve("alexnet-djl"));
        try (Model m =
                TorchScriptImport.load(
                        shared.resolve("models/alexnet_cifar10_fp16.pt"),
                        CifarArchitectures.ALEXNET)) {
            m.save(dir, "alexnet");
        }
    }

    /** From a DJL model directory: the parameter file DJL loaded, with its size and SHA-256. */
    @Test
    void aDjlDirectorySourceIsItsParameterFile() throws Exception {
        Path params = dir.resolve("alexnet-0000.params");
        Path out = tmp.resolve("ck");
        Run run =
                DjlqErrorMessagesTest.djlq(
                        "quantize",
                        "--model",
                        dir.toString(),
                        "--arch",
                        CifarArchitectures.ALEXNET,
                        "--spec",
                        "int8@row",
                        "--out",
                        out.toString(),
                        "--quiet");
        assertThat(run.code()).as(run.err()).isZero();
        CheckpointManifest.Source source = CheckpointManifest.read(out).source();
        assertThat(Path.of(source.path())).isEqualTo(params.toAbsolutePath().normalize());
        assertThat(source.sha256()).isEqualTo(Digests.sha256(params));
        assertThat(source.bytes()).isEqualTo(Files.size(params));
    }

    /**
     * DJL's own failures reading a parameter file (an EOFException, an unknown data type name, an
     * encoding version read where another architecture's next block begins) are told as what they
     * mean for the file.
     */
    @Test
    void aTruncatedDamagedOrMismatchedParameterFileIsExplained() throws Exception {
        byte[] params = Files.readAllBytes(dir.resolve("alexnet-0000.params"));
        Path truncated = Files.createDirectories(tmp.resolve("truncated"));
        Files.write(truncated.resolve("alexnet-0000.params"), Arrays.copyOf(params, 4_000_000));
        Path damaged = Files.createDirectories(tmp.resolve("damaged"));
        byte[] flipped = params.clone();
        String header = new String(flipped, 0, 64, StandardCharsets.ISO_8859_1);
        int at = header.indexOf("FLOAT32");
        assertThat(at).isPositive();
        flipped[at + 1] = 'Z';
        Files.write(damaged.resolve("alexnet-0000.params"), flipped);

        assertThat(quantize(truncated, CifarArchitectures.ALEXNET))
                .contains("the parameter file ends early (truncated?)");
        assertThat(quantize(damaged, CifarArchitectures.ALEXNET))
                .contains("a parameter's header is damaged (data type 'FZOAT32')");
        assertThat(quantize(dir, CifarArchitectures.VGG16))
                .contains(
                        "Unsupported encoding version",
                        "the file holds another architecture than vgg16-cifar10 (a wrong --arch?)");
    }

    private static String quantize(Path model, String arch) {
        return DjlqErrorMessagesTest.failedImport(model, arch, tmp.resolve("never"));
    }
}
