package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizers;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study's whole code path on tiny subsets: import, fine-tune on 50 images, sweep five schemes
 * on 100 test images, write every result file and chart. Then checks that what was evaluated is
 * what SIMULATE writes and what the saved checkpoint holds. Under a minute on 2 idle cores.
 */
class StudySmokeTest {

    private static final List<String> SCHEMES =
            List.of(
                    "int8@tensor",
                    "seedlinear8@tensor",
                    "dt3@row",
                    "seeddt3@lastaxis",
                    "dt4@sorted65536");

    @TempDir static Path out;

    private static StudyResult result;
    private static CifarData data;
    private static String log;

    static Path shared(String relative) {
        Path path = Path.of(System.getProperty("djlq.shared", "../../shared")).resolve(relative);
        assertThat(path).as("shared file").exists();
        return path;
    }

    /**
     * Writes a tiny CIFAR-10 as PNG folders: 10 test images per class, and 5 other images per class
     * (also from the test split, which decodes 5x faster than the training split) as the training
     * set. The study reads them through the image-folder source.
     */
    private static CifarData tinyCifar(Path root) throws Exception {
        CifarImages all =
                CifarData.fromArchives(
                                shared("data/cifar10"),
                                Path.of("target", "cifar10-cache").toAbsolutePath())
                        .images(Dataset.Usage.TEST);
        int[] written = new int[CifarData.CLASS_NAMES.size()];
        for (int i = 0; i < all.size(); i++) {
            int label = all.label(i);
            int n = written[label]++;
            String split = n < 10 ? "test" : n < 15 ? "train" : null;
            if (split == null) {
                continue;
            }
            Path dir = root.resolve(split).resolve(CifarData.CLASS_NAMES.get(label));
            Files.createDirectories(dir);
            ImageIO.write(image(all.pixels(i)), "png", dir.resolve(n + ".png").toFile());
        }
        return CifarData.fromImageFolders(root);
    }

    private static BufferedImage image(byte[] hwc) {
        BufferedImage image =
                new BufferedImage(CifarImages.SIDE, CifarImages.SIDE, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < CifarImages.SIDE * CifarImages.SIDE; p++) {
            int rgb =
                    (hwc[3 * p] & 0xFF) << 16
                            | (hwc[3 * p + 1] & 0xFF) << 8
                            | hwc[3 * p + 2] & 0xFF;
            image.setRGB(p % CifarImages.SIDE, p / CifarImages.SIDE, rgb);
        }
        return image;
    }

    @BeforeAll
    static void runStudy() throws Exception {
        long start = System.nanoTime();
        data = tinyCifar(out.resolve("cifar"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StudyConfig config =
                StudyConfig.quick("alexnet")
                        .optPretrained(shared("models/alexnet_cifar10_fp16.pt"))
                        .optTrainImages(50)
                        .optTestImages(100)
                        .optBatchSize(25)
                        .optSchemes(SCHEMES)
                        .optOutputDir(out.resolve("alexnet-smoke"))
                        .optKeepCheckpoints(true)
                        .optProgress(false)
                        .optCommand("smoke test")
                        .optLog(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                        .build();
        result = Study.run(config, data);
        log = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(log);
        System.out.printf("Smoke study took %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @Test
    void sweepsTheBaselineAndEveryScheme() {
        assertThat(result.schemes())
                .extracting(SchemeResult::spec)
                .containsExactly(
                        "float32",
                        "int8@tensor",
                        "seedlinear8@tensor",
                        "dt3@row",
                        "seeddt3@lastaxis",
                        "dt4@sorted65536");
        assertThat(result.testImages()).isEqualTo(100);
        assertThat(result.fineTune().trainImages()).isEqualTo(50);
        assertThat(result.fineTune().mode()).isEqualTo("classifier");
        assertThat(result.importedAccuracy().fraction()).isGreaterThan(0.7);
        // Two Adam steps on a fresh head over frozen pretrained features: far above chance.
        assertThat(result.baseline().accuracy().fraction()).isGreaterThan(0.3);
        for (SchemeResult s : result.schemes()) {
            assertThat(s.accuracy().total()).isEqualTo(100);
        }
        assertThat(log).contains("6/6] dt4@sorted65536");
    }

    @Test
    void sizesAndBitsTellTheStudysEstimateFromTheRealThing() {
        SchemeResult base = result.baseline();
        SchemeResult int8 = result.find("int8@tensor").orElseThrow();
        SchemeResult dt3 = result.find("dt3@row").orElseThrow();
        SchemeResult seed3 = result.find("seeddt3@lastaxis").orElseThrow();
        SchemeResult sorted = result.find("dt4@sorted65536").orElseThrow();

        assertThat(base.quantizedWeights()).isEqualTo(23_232_192);
        assertThat(base.totalParameters()).isEqualTo(23_238_474);
        assertThat(base.checkpointBytes())
                .isBetween(base.float32Bytes(), base.float32Bytes() + 100_000);
        // The checkpoint is the packed size plus a little metadata.
        for (SchemeResult s : List.of(int8, dt3, seed3, sorted)) {
            assertThat(s.checkpointBytes()).isBetween(s.packedBytes(), s.packedBytes() + 100_000);
            assertThat(s.packedBytes())
                    .isEqualTo(
                            s.quantizedWeightBytes()
                                    + 4 * (s.totalParameters() - s.quantizedWeights()));
            assertThat(s.error().mae()).isPositive();
        }
        assertThat(int8.realBitsPerWeight())
                .isCloseTo(8.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(dt3.codeBits()).isEqualTo(3);
        assertThat(dt3.entropyBits()).isLessThan(3);
        // The study's 3-bit codes are 8 bits wide; its estimate says 3 plus scales.
        assertThat(seed3.codeBits()).isEqualTo(8);
        assertThat(seed3.nominalBits()).isEqualTo(3);
        assertThat(seed3.realBitsPerWeight()).isGreaterThan(seed3.studyBitsPerWeight() + 4.9);
        assertThat(seed3.exponents().counts()).hasSize(3);
        // Stable embedding stores the permutation, which the study's estimate leaves out.
        assertThat(sorted.indexBytes()).isGreaterThan(sorted.codeBytes());
        assertThat(sorted.packedBytes()).isGreaterThan(2 * (long) sorted.studyEstimateBytes());
        assertThat(int8.indexBytes()).isZero();
    }

    @Test
    void writesTablesDataAndSmallCharts() throws Exception {
        Path dir = out.resolve("alexnet-smoke");
        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md)
                .contains("| `seeddt3@lastaxis` | seeddt@lastaxis | 3 |")
                .contains("not 3 bits")
                .contains("permutation")
                .contains("`seedlinear8@tensor` (`S = 255 / (max - min)`")
                .contains("![accuracy_vs_bits](accuracy_vs_bits.png)");
        // The one pair at the same groups; seeddt3@lastaxis and dt3@row differ in groups too.
        SchemeResult seedLinear = result.find("seedlinear8@tensor").orElseThrow();
        SchemeResult int8 = result.find("int8@tensor").orElseThrow();
        assertThat(
                        HandBuiltStudy.tableRows(
                                HandBuiltStudy.section(md, "The study's arithmetic against")))
                .containsExactly(
                        String.format(
                                Locale.ROOT,
                                "| `seedlinear8@tensor` | %.2f%% | 8.00 | %.2f | `int8@tensor` |"
                                        + " %.2f%% | 8.00 | %.2f | %+.2f pp | %.2fx |",
                                seedLinear.accuracyPercent(),
                                seedLinear.error().sqnrDb(),
                                int8.accuracyPercent(),
                                int8.error().sqnrDb(),
                                seedLinear.accuracyPercent() - int8.accuracyPercent(),
                                seedLinear.error().mse() / int8.error().mse()));
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertThat(csv).hasSize(7);
        assertThat(csv.get(2)).startsWith("alexnet,int8@tensor,int@tensor,8,");
        JsonObject json =
                JsonParser.parseString(Files.readString(dir.resolve("results.json")))
                        .getAsJsonObject();
        assertThat(json.getAsJsonArray("schemes")).hasSize(6);
        assertThat(json.get("command").getAsString()).isEqualTo("smoke test");
        assertThat(Files.readAllLines(dir.resolve("layers.csv")))
                .hasSize(1 + 5 * 8)
                .anySatisfy(l -> assertThat(l).startsWith("dt3@row,"));
        for (String chart : StudyReport.CHARTS) {
            Path png = dir.resolve(chart);
            assertThat(png).exists();
            assertThat(Files.size(png)).isBetween(5_000L, 200_000L);
        }
        assertThat(dir.resolve("finetuned")).isDirectory();
        assertThat(dir.resolve("checkpoints/alexnet-dt3-row")).isDirectory();
    }

    @Test
    void resultsJsonReadsBackAndChartsCanBeRedrawnFromIt() throws Exception {
        Path dir = out.resolve("alexnet-smoke");
        StudyResult back = StudyFiles.readJson(Files.readString(dir.resolve("results.json")));
        assertThat(back.schemes()).hasSameSizeAs(result.schemes());
        for (int i = 0; i < back.schemes().size(); i++) {
            SchemeResult a = result.schemes().get(i);
            SchemeResult b = back.schemes().get(i);
            assertThat(b.spec()).isEqualTo(a.spec());
            assertThat(b.accuracy()).isEqualTo(a.accuracy());
            assertThat(b.checkpointBytes()).isEqualTo(a.checkpointBytes());
            assertThat(b.realBitsPerWeight()).isEqualTo(a.realBitsPerWeight());
            assertThat(b.error().mse())
                    .isCloseTo(
                            a.error().mse(), org.assertj.core.data.Percentage.withPercentage(1e-9));
            assertThat(b.exponents() == null).isEqualTo(a.exponents() == null);
        }
        assertThat(StudyFiles.csv(back)).isEqualTo(StudyFiles.csv(result));
        // replot redraws the charts and rewrites results.md, to the byte the run wrote.
        String md = Files.readString(dir.resolve("results.md"));
        Files.delete(dir.resolve(StudyCharts.ACCURACY));
        Files.delete(dir.resolve("results.md"));
        assertThat(dev.djlquant.examples.cli.Djlq.run("study", "replot", dir.toString())).isZero();
        assertThat(dir.resolve(StudyCharts.ACCURACY)).exists();
        assertThat(Files.readString(dir.resolve("results.md"))).isEqualTo(md);
    }

    @Test
    void evaluatedWeightsAreWhatSimulateWritesAndWhatTheCheckpointHolds() throws Exception {
        Path dir = out.resolve("alexnet-smoke");
        CifarImages test = StudyData.subset(data.images(Dataset.Usage.TEST), 100, 0);
        CifarDataset testSet = CifarDataset.builder(test).build();
        long expected = result.find("dt3@row").orElseThrow().accuracy().correct();

        // SIMULATE on a copy of the saved fine-tuned model gives the same accuracy.
        try (Model model = Model.newInstance("alexnet-finetuned", TorchScriptImport.ENGINE)) {
            Block block = CifarArchitectures.alexnet();
            model.setBlock(block);
            block.initialize(
                    model.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
            model.load(dir.resolve("finetuned"), "alexnet-finetuned");
            assertThat(Evaluation.accuracy(model, testSet, 100).correct())
                    .isEqualTo(result.baseline().accuracy().correct());
            Quantizers.apply(model, QuantConfig.of("dt3@row"));
            assertThat(Evaluation.accuracy(model, testSet, 100).correct()).isEqualTo(expected);
        }
        // The saved COMPRESSED checkpoint loads back and classifies the same way.
        try (Model model = Model.newInstance("alexnet-dt3-row", TorchScriptImport.ENGINE)) {
            model.setBlock(new dev.djlquant.QuantizedBlock(CifarArchitectures.alexnet()));
            model.load(dir.resolve("checkpoints/alexnet-dt3-row"), "alexnet-dt3-row");
            assertThat(Evaluation.accuracy(model, testSet, 100).correct()).isEqualTo(expected);
        }
    }
}
