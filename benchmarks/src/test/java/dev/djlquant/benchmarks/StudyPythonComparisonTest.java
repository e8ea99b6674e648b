package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.djlquant.format.SeedArithmetic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyPythonComparisonTest {

    private static final String PYTHON = "/usr/bin/python3";

    /**
     * The Python that the table times is the study's arithmetic as djl-quant implements it: every
     * value rounds to the same float32 bits, over the decades of the dynamic tree, zero and ±1.
     */
    @Test
    void thePythonRoundsEveryValueAsDjlQuantDoes() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "needs " + PYTHON);
        float[] y = StudyPythonComparison.normalizedValues(20_000);
        StudyPythonComparison.PythonRun run = StudyPythonComparison.runPython(PYTHON, y, 1);
        assertThat(run.version()).startsWith("3.");
        assertThat(run.seconds()).hasSize(2);
        assertThat(run.seconds()[0]).isPositive();
        assertThat(run.seconds()[1]).isPositive();
        for (int i = 0; i < y.length; i++) {
            assertThat(Float.floatToRawIntBits(run.rounded()[0][i]))
                    .as("round_fp8(%s)", y[i])
                    .isEqualTo(Float.floatToRawIntBits(SeedArithmetic.roundFp8(y[i])));
            assertThat(Float.floatToRawIntBits(run.rounded()[1][i]))
                    .as("round_dt8(%s)", y[i])
                    .isEqualTo(Float.floatToRawIntBits(SeedArithmetic.roundDt(y[i])));
        }
    }

    @Test
    void theValuesCoverEveryDecadeTheDynamicTreeCounts() {
        float[] y = StudyPythonComparison.normalizedValues(20_000);
        boolean[] seen = new boolean[8];
        for (float v : y) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(1f);
            int exponent = SeedArithmetic.dtExponent(v, 8);
            if (exponent >= 0 && exponent < seen.length) {
                seen[exponent] = true;
            }
        }
        assertThat(seen).containsOnly(true);
    }

    @Test
    void withoutAPythonTheRowsAreLeftOutAndTheReasonLogged() {
        NoPython.Outcome outcome = NoPython.run(StudyPythonComparison::ratios);
        assertThat(outcome.rows()).isEmpty();
        assertThat(outcome.log())
                .contains("Study arithmetic comparison skipped")
                .contains(NoPython.PATH);
    }

    /** An interpreter that answers with something else is reported, not taken for timings. */
    @Test
    void malformedAnswersAreIoErrors(@TempDir Path dir) throws Exception {
        float[] y = StudyPythonComparison.normalizedValues(10);
        Path noJson =
                fakePython(dir.resolve("no-json"), "head -c 80 /dev/zero > \"$3\"; echo hello");
        assertThatThrownBy(() -> StudyPythonComparison.runPython(noJson.toString(), y, 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no usable timings")
                .hasMessageContaining("hello");
        Path shortFile = fakePython(dir.resolve("short"), "head -c 12 /dev/zero > \"$3\"; echo {}");
        assertThatThrownBy(() -> StudyPythonComparison.runPython(shortFile.toString(), y, 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("wrote 12 bytes of results, expected 80");
    }

    /** A shell script that reads the script from stdin and then runs {@code body}. */
    private static Path fakePython(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\ncat > /dev/null\n" + body + "\n");
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }

    @Test
    void theScriptShipsWithTheClasses() {
        assertThat(StudyPythonComparison.class.getResource(StudyPythonComparison.SCRIPT))
                .isNotNull();
    }
}
