package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Failed commands print one line that says what was wrong and with which path. */
class DjlqErrorMessagesTest {

    @TempDir static Path tmp;

    private static Path resnet;

    /** The result of one run. */
    record Run(int code, String out, String err) {}

    static Run djlq(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Djlq.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void locate() {
        Path shared = Path.of(System.getProperty("djlq.shared", "../../shared"));
        resnet = shared.resolve("models/resnet20_cifar10.pt");
        assertThat(resnet).isRegularFile();
    }

    @Test
    void inspectOfAFileSaysItIsNotACheckpointDirectory() {
        Run run = djlq("inspect", resnet.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err())
                .contains(resnet.toString(), "is a file, not a djlq checkpoint directory")
                .doesNotContain("Not a directory");
    }

    @Test
    void aBadNormalizationIsAUsageErrorThatSaysWhatIsWrong() {
        Path out = tmp.resolve("bad-normalization");
        Run run =
                djlq(
                        "quantize",
                        "--model",
                        resnet.toString(),
                        "--spec",
                        "int8@row",
                        "--normalize",
                        "0.5,0.5,0.5/0.2,0,0.2",
                        "--out",
                        out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err())
                .contains(
                        "--normalize",
                        "0.5,0.5,0.5/0.2,0,0.2",
                        "standard deviation of channel 1 is 0.0");
        assertThat(out).doesNotExist();
    }

    /**
     * Command lines that ask for nothing or contradict themselves are usage errors (exit code 2)
     * named before any work, not silently run: {@code $M} stands for the ResNet20 file, {@code
     * $OUT} for a path that must stay unwritten, {@code $LONG} and {@code $ID} for a file name and
     * an artifact id too long to be one. Each would fail fast without its check too (the study for
     * want of its shared folder), so a regression cannot start minutes of work.
     */
    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of("Empty item in --spec ','", "eval $M --spec , --limit 10"),
                Arguments.of(
                        "Empty item in --spec 'int8@row,'", "eval $M --spec int8@row, --limit 10"),
                Arguments.of("Empty item in --spec ','", "demo --model $M --spec ,"),
                Arguments.of(
                        "Empty item in --schemes ','",
                        "study alexnet --schemes , --shared $OUT --out $OUT"),
                Arguments.of("<checkpoint> is empty (an unset variable?)", "inspect ''"),
                Arguments.of("<model|checkpoint> is empty (an unset variable?)", "eval ''"),
                Arguments.of("--out is empty (an unset variable?)", "bench --skip-kernel --out ''"),
                Arguments.of(
                        "--repository is for --publish",
                        "quantize --model $M --spec int8@row --repository $OUT --out $OUT"),
                Arguments.of(
                        "--link-torchscript is for TorchScript checkpoints",
                        "quantize --model $M --arch alexnet-cifar10 --spec int8@row"
                                + " --link-torchscript --out $OUT"),
                Arguments.of(
                        "--dataset is empty",
                        "quantize --model $M --spec int8@row --dataset '' --out $OUT"),
                Arguments.of(
                        "Invalid value for option '--spec': One scheme here, not a list:"
                                + " 'int8@row,dt4@row'",
                        "quantize --model $M --spec int8@row,dt4@row --out $OUT"),
                Arguments.of(
                        "z: its name is longer than the 255 bytes a file name may have",
                        "bench --skip-kernel --skip-model --out $OUT/$LONG"),
                Arguments.of(
                        "Bad --publish artifact id",
                        "quantize --model $M --spec int8@row --publish $ID --out $OUT"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void emptyOrContradictoryArgumentsAreUsageErrorsBeforeAnyWork(String message, String line) {
        Path out = tmp.resolve("never-written");
        String[] args =
                Arrays.stream(line.split(" "))
                        .map(a -> a.equals("''") ? "" : a)
                        .map(a -> a.replace("$M", resnet.toString()))
                        .map(a -> a.replace("$OUT", out.toString()))
                        .map(a -> a.replace("$LONG", "z".repeat(256)))
                        .map(a -> a.replace("$ID", "p".repeat(201)))
                        .toArray(String[]::new);
        Run run = djlq(args);
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("djlq: ").contains(message);
        assertThat(run.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void benchRefusesAnOutItCouldNotWriteBeforeItTimesAnything() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Run under = djlq("bench", "--skip-kernel", "--out", file.resolve("bench.md").toString());
        assertThat(under.code()).isEqualTo(2);
        assertThat(under.err()).contains("--out", file.toString(), "is not a writable folder");
        Run folder = djlq("bench", "--skip-kernel", "--out", tmp.toString());
        assertThat(folder.code()).isEqualTo(2);
        assertThat(folder.err()).contains("--out " + tmp, "is a directory");
    }

    @Test
    void studyRefusesAnOutItCouldNotWriteBeforeItTrains() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Run isFile = djlq("study", "alexnet", "--quick", "--out", file.toString());
        assertThat(isFile.code()).isEqualTo(2);
        assertThat(isFile.err()).contains("--out " + file + " is not a folder");
        Run under =
                djlq("study", "alexnet", "--quick", "--out", file.resolve("results").toString());
        assertThat(under.code()).isEqualTo(2);
        assertThat(under.err())
                .contains("cannot be written", file.toString(), "not a writable folder");
    }

    @Test
    void aCheckpointThatLostItsManifestIsNotTakenForAPlainModel() throws Exception {
        Path checkpoint = tmp.resolve("lost-manifest");
        Run written =
                djlq(
                        "quantize",
                        "--model",
                        resnet.toString(),
                        "--spec",
                        "int8@row",
                        "--quiet",
                        "--out",
                        checkpoint.toString());
        assertThat(written.code()).isZero();
        Files.delete(checkpoint.resolve("manifest.json"));
        Run eval = djlq("eval", checkpoint.toString());
        Run quantize =
                djlq(
                        "quantize",
                        "--model",
                        checkpoint.toString(),
                        "--spec",
                        "int8@row",
                        "--out",
                        tmp.resolve("again").toString());
        Run inspect = djlq("inspect", checkpoint.toString());
        for (Run run : new Run[] {eval, quantize, inspect}) {
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            assertThat(run.err())
                    .contains(checkpoint.resolve("manifest.json") + ": is missing")
                    .contains("is a djlq checkpoint");
        }
        assertThat(tmp.resolve("again")).doesNotExist();
    }

    @Test
    void aModelPathThatIsNeitherFileNorDirectoryIsNamedAsSuch() {
        Run run = djlq("eval", "/dev/null");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("/dev/null is neither a TorchScript file nor a model");
    }

    @Test
    void inspectOfANonexistentPathSaysSo() {
        Path nothing = tmp.resolve("nothing-here");
        Run run = djlq("inspect", nothing.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(nothing.toString(), "does not exist");
    }

    @Test
    void importIntoTheWrongArchitectureNamesFileAndArchitectureBriefly() {
        String error = failedImport(resnet, "alexnet-cifar10", tmp.resolve("wrong-arch"));
        assertThat(error)
                .contains(
                        "Cannot import " + resnet + " into alexnet-cifar10",
                        "source has 59",
                        "target has 16")
                .doesNotContain("layer3.2.bn2.bias");
        assertThat(error.length()).isLessThan(600);
    }

    /**
     * Runs {@code djlq quantize} of {@code model} into {@code arch}, which must fail in the job
     * (exit code 1) with one error line and write nothing to {@code out}; returns that line.
     */
    static String failedImport(Path model, String arch, Path out) {
        Run run =
                djlq(
                        "quantize",
                        "--model",
                        model.toString(),
                        "--arch",
                        arch,
                        "--spec",
                        "int8@row",
                        "--out",
                        out.toString(),
                        "--quiet");
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(out).doesNotExist();
        return run.err();
    }

    @Test
    void aDjlDirectoryThatDoesNotLoadIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("not-djl"));
        Files.write(dir.resolve("model-0000.params"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        // DJL skips a file without its header silently: the job must not go on with random
        // weights (failedImport checks that nothing was written).
        assertThat(failedImport(dir, "alexnet-cifar10", tmp.resolve("from-not-djl")))
                .contains(
                        "Cannot load DJL model directory " + dir,
                        "into alexnet-cifar10",
                        "not a DJL parameter file");
    }
}
