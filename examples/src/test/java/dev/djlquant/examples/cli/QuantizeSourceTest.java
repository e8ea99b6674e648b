package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import dev.djlquant.examples.cli.DjlqErrorMessagesTest.Run;
import dev.djlquant.files.Digests;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a checkpoint's manifest records as the source of its float weights. */
class QuantizeSourceTest {

    @TempDir Path tmp;

    /** From a DJL model directory: the parameter file DJL loaded, with its size and SHA-256. */
    @Test
    void aDjlDirectorySourceIsItsParameterFile() throws Exception {
        Path shared = Path.of(System.getProperty("djlq.shared", "../../shared"));
        Path dir = Files.createDirectories(tmp.resolve("alexnet-djl"));
        try (Model m =
                TorchScriptImport.load(
                        shared.resolve("models/alexnet_cifar10_fp16.pt"),
                        CifarArchitectures.ALEXNET)) {
            m.save(dir, "alexnet");
        }
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
}
