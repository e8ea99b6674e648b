package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.examples.study.StudyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code djlq study}'s options as the study's settings, and its command-line errors, which fail
 * before any data or model is read.
 */
class StudyCommandTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void captureErr() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr() {
        System.setErr(savedErr);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownModelIsAUsageError() {
        assertThat(Djlq.run("study", "resnet50")).isEqualTo(2);
        assertThat(errors()).contains("resnet50").contains("alexnet, vgg16 or all");
    }

    @Test
    void missingModelIsAUsageError() {
        assertThat(Djlq.run("study", "--quick")).isEqualTo(2);
        assertThat(errors()).contains("Missing MODEL");
    }

    @Test
    void replotNamesADamagedResultsFile(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("results.json"), "{\"model\": ");
        assertThat(Djlq.run("study", "replot", dir.toString())).isEqualTo(1);
        assertThat(errors()).contains(json.toString());
        Files.writeString(json, "{}");
        assertThat(Djlq.run("study", "replot", dir.toString())).isEqualTo(1);
        assertThat(errors()).contains(json + ": Not a study results.json");
    }

    @Test
    void replotNeedsAResultsFile() {
        assertThat(Djlq.run("study", "replot", "target/no-such-dir")).isEqualTo(1);
        assertThat(errors()).contains("results.json");
    }

    @Test
    void pretrainedFileIsForOneModelOnly() {
        assertThat(Djlq.run("study", "all", "--pretrained", "x.pt")).isEqualTo(2);
        assertThat(errors()).contains("not with 'all'");
    }

    @Test
    void badSchemeIsAUsageError() {
        assertThat(Djlq.run("study", "alexnet", "--schemes", "dt4@row,dt9@row")).isEqualTo(2);
        assertThat(errors()).contains("dt9");
    }

    @Test
    void outOfRangeSettingsAreUsageErrorsFoundBeforeTheData() {
        assertThat(
                        Djlq.run(
                                "study",
                                "alexnet",
                                "--quick",
                                "--epochs",
                                "-1",
                                "--data",
                                "target/no-such-dir"))
                .isEqualTo(2);
        assertThat(errors()).contains("epochs must not be negative: -1").doesNotContain("CIFAR");
    }

    @Test
    void missingDataIsAJobError() {
        assertThat(Djlq.run("study", "alexnet", "--quick", "--data", "target/no-such-dir"))
                .isEqualTo(1);
        assertThat(errors()).contains("No CIFAR-10 data").contains("--download");
    }

    @Test
    void helpListsTheRunModes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Djlq.run("study", "--help")).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--quick")
                .contains("--pretrained")
                .contains("alexnet, vgg16 or all");
    }

    private static List<StudyConfig> configs(Path shared, String... args) throws Exception {
        StudyCommand command = new StudyCommand();
        new CommandLine(command).parseArgs(args);
        return command.configs(shared);
    }

    @Test
    void everyOptionReachesTheStudysSettings(@TempDir Path dir) throws Exception {
        String[] args = {
            "alexnet",
            "--quick",
            "--scratch",
            "--epochs",
            "3",
            "--train-images",
            "500",
            "--test-images",
            "200",
            "--batch-size",
            "32",
            "--lr",
            "0.01",
            "--seed",
            "7",
            "--schemes",
            "dt4,int8@tensor",
            "--out",
            dir.toString(),
            "--no-save-model",
            "--keep-checkpoints",
            "--no-charts",
            "--no-progress"
        };
        List<StudyConfig> configs = configs(dir, args);
        assertThat(configs).hasSize(1);
        StudyConfig c = configs.get(0);
        assertThat(c.model()).isEqualTo("alexnet");
        assertThat(c.isQuick()).isTrue();
        assertThat(c.fromScratch()).isTrue();
        assertThat(c.epochs()).isEqualTo(3);
        assertThat(c.trainImages()).isEqualTo(500);
        assertThat(c.testImages()).isEqualTo(200);
        assertThat(c.batchSize()).isEqualTo(32);
        assertThat(c.learningRate()).isEqualTo(0.01f);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.schemes()).containsExactly("dt4@row", "int8@tensor");
        assertThat(c.outputDir()).isEqualTo(dir.resolve("alexnet-quick"));
        assertThat(c.saveModel()).isFalse();
        assertThat(c.keepCheckpoints()).isTrue();
        assertThat(c.charts()).isFalse();
        assertThat(c.progress()).isFalse();
        assertThat(c.command()).isEqualTo("./djlq " + String.join(" ", args));
    }

    @Test
    void withoutOptionsEachModelGetsTheFullRunsDefaults(@TempDir Path dir) throws Exception {
        List<StudyConfig> configs = configs(dir, "all", "--scratch");
        assertThat(configs).extracting(StudyConfig::model).containsExactly("alexnet", "vgg16");
        for (StudyConfig c : configs) {
            StudyConfig full = StudyConfig.full(c.model()).build();
            assertThat(c.isQuick()).isFalse();
            assertThat(c.outputDir()).isEqualTo(Path.of("results", c.model()));
            assertThat(c.epochs()).isEqualTo(full.epochs());
            assertThat(c.trainImages()).isEqualTo(full.trainImages());
            assertThat(c.testImages()).isEqualTo(full.testImages());
            assertThat(c.batchSize()).isEqualTo(full.batchSize());
            assertThat(c.learningRate()).isEqualTo(full.learningRate());
            assertThat(c.seed()).isEqualTo(full.seed());
            assertThat(c.schemes()).isEqualTo(full.schemes());
            assertThat(c.saveModel()).isTrue();
            assertThat(c.keepCheckpoints()).isFalse();
            assertThat(c.charts()).isTrue();
            assertThat(c.progress()).isTrue();
        }
    }

    @Test
    void pretrainedWeightsComeFromTheOptionOrTheSharedFolder(@TempDir Path dir) throws Exception {
        Path weights = Files.writeString(dir.resolve("my.pt"), "not read here");
        assertThat(configs(dir, "vgg16", "--pretrained", weights.toString()).get(0).pretrained())
                .isEqualTo(weights);
        assertThatThrownBy(() -> configs(dir, "vgg16"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("pass --pretrained FILE.pt or --scratch");
    }

    @Test
    void aPretrainedFileThatIsNotThereIsAUsageError(@TempDir Path dir) {
        String missing = dir.resolve("missing.pt").toString();
        String out = dir.resolve("out").toString();
        assertThat(Djlq.run("study", "alexnet", "--out", out, "--pretrained", missing))
                .isEqualTo(2);
        assertThat(errors()).contains("--pretrained " + missing + ": no such file");
        assertThat(Djlq.run("study", "alexnet", "--out", out, "--pretrained", dir.toString()))
                .isEqualTo(2);
        assertThat(errors()).contains("--pretrained " + dir + " is a directory");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
