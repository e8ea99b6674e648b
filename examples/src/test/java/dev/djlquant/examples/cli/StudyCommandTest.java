package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Command-line errors of {@code djlq study}, which fail before any data or model is read. */
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
}
