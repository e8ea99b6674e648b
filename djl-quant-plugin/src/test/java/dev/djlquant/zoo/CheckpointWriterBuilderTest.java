package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import dev.djlquant.QuantizationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's defaults, and an option given to it, reach the checkpoint the writer writes. */
class CheckpointWriterBuilderTest {

    @TempDir Path tmp;

    @Test
    void defaultsAndADatasetReachTheWrittenCheckpoint() throws Exception {
        Path plain = tmp.resolve("plain");
        Path cifar = tmp.resolve("cifar");
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed("int8@row", 7, report)) {
            CheckpointWriter.builder()
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), plain);
            CheckpointWriter.builder()
                    .optDataset("cifar10")
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), cifar);
        }

        CheckpointManifest defaults = CheckpointReader.verify(plain);
        assertThat(defaults.dataset()).isNull();
        assertThat(defaults.application()).isEqualTo(CheckpointWriter.IMAGE_CLASSIFICATION);
        assertThat(defaults.mode()).isEqualTo("COMPRESSED");
        assertThat(defaults.source()).isNull();
        assertThat(serving(plain)).doesNotContain("translatorFactory");

        CheckpointManifest withDataset = CheckpointReader.verify(cifar);
        assertThat(withDataset.dataset()).isEqualTo("cifar10");
        assertThat(withDataset.application()).isEqualTo(CheckpointWriter.IMAGE_CLASSIFICATION);
        assertThat(withDataset.mode()).isEqualTo("COMPRESSED");
        assertThat(serving(cifar))
                .contains("translatorFactory=" + CifarTranslatorFactory.class.getName());
    }

    private static String serving(Path checkpoint) throws Exception {
        return Files.readString(
                checkpoint.resolve(CheckpointWriter.SERVING_FILE), StandardCharsets.ISO_8859_1);
    }
}
