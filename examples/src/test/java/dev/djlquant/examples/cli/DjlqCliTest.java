package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The djlq subcommands through {@link Djlq#run}: outputs and exit codes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DjlqCliTest {

    @TempDir static Path tmp;

    private static Path shared;
    private static Path alexnet;
    private static Path resnet;
    private static Path data;
    private static Path checkpoint;

    /** The result of one run. */
    record Run(int code, String out, String err) {}

    static Run djlq(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        int code = Djlq.run(new PrintWriter(out), new PrintWriter(err), all.toArray(new String[0]));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void locate() {
        shared = Path.of(System.getProperty("djlq.shared", "../../shared"));
        alexnet = shared.resolve("models/alexnet_cifar10_fp16.pt");
        resnet = shared.resolve("models/resnet20_cifar10.pt");
        data = shared.resolve("data/cifar10");
        assertThat(alexnet).isRegularFile();
        checkpoint = tmp.resolve("alexnet-dt4");
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static String cache() {
        // The plugin's tests extract the same archive there; reuse it.
        return Path.of("..", "djl-quant-plugin", "target", "cifar10-cache")
                .toAbsolutePath()
                .normalize()
                .toString();
    }

    @Test
    @Order(1)
    void quantizeWritesAndPublishesANativeCheckpoint() {
        Run r =
                djlq(
                        "quantize",
                        "--model",
                        alexnet.toString(),
                        "--arch",
                        "alexnet-cifar10",
                        "--spec",
                        "dt4@row",
                        "--out",
                        checkpoint.toString(),
                        "--publish",
                        "alexnet-cifar10",
                        "--repository",
                        tmp.resolve("repo").toString(),
                        "--exclude",
                        "no-such-layer",
                        "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Wrote " + checkpoint, "Published dev.djlquant:alexnet-cifar10");
        // A regex that matches nothing is most likely mistyped: said even with --quiet.
        assertThat(r.err()).contains("warning: regex 'no-such-layer' matched no parameter");
        assertPartsAddUp(r.out());
        assertThat(r.out())
                .contains(
                        "bits=4",
                        "scheme=dt",
                        ".optArtifactId(\"alexnet-cifar10\").optFilter(\"spec\", \"dt4@row\")");
        assertThat(tmp.resolve("repo/model/cv/image_classification/dev/djlquant/alexnet-cifar10"))
                .isDirectory();
    }

    @Test
    @Order(2)
    void inspectPrintsTheLayerTableAndJson() {
        Run r = djlq("inspect", checkpoint.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "| 02SequentialBlock_03Linear_weight | [4096, 4096] | dt4@row |",
                        "exponents",
                        "Verified: 2 files");
        Run json = djlq("inspect", "--json", checkpoint.toString());
        assertThat(json.code()).isZero();
        JsonObject m = JsonParser.parseString(json.out()).getAsJsonObject();
        assertThat(m.get("format_version").getAsInt()).isEqualTo(1);
        assertThat(m.getAsJsonArray("tensors")).hasSize(8);
    }

    @Test
    @Order(3)
    void evalOfTheCheckpointPrintsOneJsonObject() {
        // The test images and the archive cache default to where the djlq script points them.
        String sharedBefore = System.setProperty("djlq.shared", shared.toString());
        String cacheBefore = System.setProperty("djlq.cache", cache());
        Run r;
        try {
            r = djlq("eval", checkpoint.toString(), "--per-class", "10", "--json", "--quiet");
        } finally {
            restore("djlq.shared", sharedBefore);
            restore("djlq.cache", cacheBefore);
        }
        assertThat(r.code()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertThat(o.get("n").getAsInt()).isEqualTo(100);
        assertThat(o.get("accuracy").getAsDouble()).isBetween(0.6, 1.0);
        assertThat(o.get("kind").getAsString()).isEqualTo("checkpoint");
        assertThat(o.get("data").getAsString()).isEqualTo(data.toString());
        assertThat(o.get("normalization").getAsString()).isEqualTo("cifar");
    }

    @Test
    @Order(4)
    void torchScriptQuantizedAsItselfThenEvaluated() throws Exception {
        Path out = tmp.resolve("resnet20-int8");
        Run q =
                djlq(
                        "quantize",
                        "--model",
                        resnet.toString(),
                        "--spec",
                        "int8@row",
                        "--out",
                        out.toString(),
                        "--link-torchscript",
                        "--normalize",
                        "imagenet",
                        "--quiet");
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(q.out())
                .contains(
                        "Loading costs the float weights",
                        "referenced at",
                        "input normalization imagenet");
        assertPartsAddUp(q.out());
        assertThat(out.resolve("torchscript.pt")).doesNotExist();
        // Without --normalize, eval takes the normalization the checkpoint records.
        JsonObject recorded = evalJson(out.toString());
        JsonObject told = evalJson(out.toString(), "--normalize", "imagenet");
        JsonObject cifar = evalJson(out.toString(), "--normalize", "cifar");
        assertThat(recorded.get("n").getAsInt()).isEqualTo(50);
        assertThat(recorded.get("normalization").getAsString()).isEqualTo("imagenet");
        assertThat(recorded.get("correct")).isEqualTo(told.get("correct"));
        assertThat(cifar.get("normalization").getAsString()).isEqualTo("cifar");
    }

    /** {@code djlq eval --json} of a model on a sample of 50 test images. */
    private static JsonObject evalJson(String model, String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "eval",
                                model,
                                "--data",
                                data.toString(),
                                "--cache-dir",
                                cache(),
                                "--limit",
                                "50",
                                "--json",
                                "--quiet"));
        args.addAll(List.of(options));
        Run e = djlq(args.toArray(new String[0]));
        assertThat(e.code()).as(e.err()).isZero();
        return JsonParser.parseString(e.out().trim()).getAsJsonObject();
    }

    @Test
    @Order(5)
    void evalWithSpecQuantizesAFloatModelFirst() {
        Run r = evalResNet("--spec", "dt4@row");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Accuracy", "dt4@row simulated", "50 images");
    }

    /**
     * Several specs: the float model first, then each scheme on a fresh copy. ResNet20's 20 weight
     * tensors have 698 output rows for 268,336 weights, so {@code int8@row} stores 8 bits and one
     * float32 scale a row; the study's per-tensor linear int8 wraps the largest weights around and
     * loses far more than a 50-image sample's noise.
     */
    @Test
    void evalWithSeveralSpecsPrintsOneTableFromTheFloatModelOn() {
        Run r = evalResNet("--spec", "int8@row,seedlinear8@tensor", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertThat(o.get("n").getAsInt()).isEqualTo(50);
        assertThat(o.get("normalization").getAsString()).isEqualTo("imagenet");
        JsonArray rows = o.getAsJsonArray("rows");
        assertThat(rows).hasSize(3);
        JsonObject plain = rows.get(0).getAsJsonObject();
        JsonObject int8 = rows.get(1).getAsJsonObject();
        JsonObject seed = rows.get(2).getAsJsonObject();
        assertThat(plain.get("spec").isJsonNull()).isTrue();
        assertThat(plain.has("bits_per_weight")).isFalse();
        assertThat(int8.get("spec").getAsString()).isEqualTo("int8@row");
        assertThat(int8.get("bits_per_weight").getAsDouble())
                .isCloseTo(8 + 32.0 * 698 / 268_336, within(1e-9));
        assertThat(seed.get("bits_per_weight").getAsDouble())
                .isCloseTo(8 + 32.0 * 20 / 268_336, within(1e-9));
        assertThat(int8.get("sqnr_db").getAsDouble()).isGreaterThan(35);
        assertThat(seed.get("accuracy").getAsDouble())
                .isLessThan(plain.get("accuracy").getAsDouble() - 0.15);
        // The same evaluation as a single --spec, which quantizes one fresh copy.
        Run single = evalResNet("--spec", "int8@row", "--json");
        assertThat(JsonParser.parseString(single.out().trim()).getAsJsonObject().get("correct"))
                .isEqualTo(int8.get("correct"));

        Run text = evalResNet("--spec", "int8@row,dt4@row");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out())
                .contains(
                        "each scheme simulated on a fresh copy",
                        "| spec | accuracy | vs float | bits/weight |",
                        "| float | ",
                        "| `int8@row` | ",
                        "| `dt4@row` | ");
    }

    /**
     * One scheme on one weight at a time: ResNet20's 20 weights in order, each row with that
     * weight's size alone (conv1: 432 4-bit codes and 16 float32 row scales), then all of them
     * together, which is what a single --spec evaluates.
     */
    @Test
    void perLayerQuantizesOneWeightAtATimeThenAll() {
        Run r = evalResNet("--spec", "dt4@row", "--per-layer", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertThat(o.get("spec").getAsString()).isEqualTo("dt4@row");
        JsonArray rows = o.getAsJsonArray("rows");
        assertThat(rows).hasSize(22);
        assertThat(rows.get(0).getAsJsonObject().get("weight").isJsonNull()).isTrue();
        JsonObject conv1 = rows.get(1).getAsJsonObject();
        assertThat(conv1.get("weight").getAsString()).isEqualTo("conv1.weight");
        assertThat(conv1.get("bits_per_weight").getAsDouble())
                .isCloseTo((432 * 4 / 8 + 16 * 4) * 8.0 / 432, within(1e-9));
        assertThat(rows.get(20).getAsJsonObject().get("weight").getAsString())
                .isEqualTo("linear.weight");
        JsonObject all = rows.get(21).getAsJsonObject();
        assertThat(all.get("weight").getAsString()).isEqualTo("all 20 weights");
        Run single = evalResNet("--spec", "dt4@row", "--json");
        assertThat(JsonParser.parseString(single.out().trim()).getAsJsonObject().get("correct"))
                .isEqualTo(all.get("correct"));

        Run twoSpecs = evalResNet("--spec", "dt4@row,int8@row", "--per-layer");
        assertThat(twoSpecs.code()).isEqualTo(2);
        assertThat(twoSpecs.err()).contains("--per-layer takes exactly one --spec");
    }

    /**
     * A scheme the model refuses (ResNet20's layer2.0.conv2 with +dq, as the README says) is a row
     * with its reason, the other rows still evaluated, and the exit code 1.
     */
    @Test
    void aSchemeTheModelRefusesIsListedWithItsReason() {
        Run r = evalResNet("--spec", "nf4@block64+dq,int8@row");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out())
                .contains("| `nf4@block64+dq` | not applied |", "| `int8@row` | ")
                .contains("nf4@block64+dq: layer2.0.conv2.weight: the scale of group");
        Run json = evalResNet("--spec", "nf4@block64+dq,int8@row", "--json");
        assertThat(json.code()).isEqualTo(1);
        JsonArray rows =
                JsonParser.parseString(json.out().trim()).getAsJsonObject().getAsJsonArray("rows");
        assertThat(rows.get(1).getAsJsonObject().get("error").getAsString())
                .contains("layer2.0.conv2.weight");
        assertThat(rows.get(2).getAsJsonObject().get("accuracy").getAsDouble()).isPositive();
    }

    /** {@code djlq eval} of ResNet20 on the first five test images of each class. */
    private static Run evalResNet(String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "eval",
                                resnet.toString(),
                                "--data",
                                data.toString(),
                                "--cache-dir",
                                cache(),
                                "--per-class",
                                "5",
                                "--normalize",
                                "imagenet",
                                "--quiet"));
        args.addAll(List.of(options));
        return djlq(args.toArray(new String[0]));
    }

    /**
     * --include replaces the default selection (here: the convolutions of the third stage, not its
     * norm parameters) and --override changes the scheme of what it matches.
     */
    @Test
    void includeAndOverrideChooseWeightsAndSchemes() throws Exception {
        Path out = tmp.resolve("resnet-mixed");
        Run r =
                djlq(
                        "quantize",
                        "--model",
                        resnet.toString(),
                        "--spec",
                        "int8@row",
                        "--include",
                        "^layer3\\..*conv",
                        "--override",
                        "conv2=dt4@row+dq",
                        "--out",
                        out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // Progress without a console: a line every tenth, each weight counted when quantized and
        // when packed; 64 x 32 x 3 x 3 values in the stage's first convolution, 64 x 64 x 3 x 3 in
        // the five others.
        long values = 64 * 32 * 9 + 5 * 64 * 64 * 9;
        assertThat(r.err())
                .contains(
                        "Quantizing 6 weights   0% 0/" + 2 * values,
                        "Quantizing 6 weights 100% " + 2 * values + "/" + 2 * values);
        // Embedded TorchScript: packed weights, the module without their values, metadata.
        assertPartsAddUp(r.out());
        assertThat(r.out()).contains("unquantized bytes are read from the module");
        JsonObject manifest =
                JsonParser.parseString(Files.readString(out.resolve("manifest.json")))
                        .getAsJsonObject();
        Map<String, String> specs = new TreeMap<>();
        manifest.getAsJsonArray("tensors")
                .forEach(
                        t ->
                                specs.put(
                                        t.getAsJsonObject().get("name").getAsString(),
                                        t.getAsJsonObject().get("spec").getAsString()));
        // ResNet20's third stage: three blocks of two convolutions each.
        assertThat(specs)
                .hasSize(6)
                .containsEntry("layer3.0.conv1.weight", "int8@row")
                .containsEntry("layer3.0.conv2.weight", "dt4@row+dq")
                .containsEntry("layer3.2.conv2.weight", "dt4@row+dq");
        assertThat(specs.keySet()).allMatch(name -> name.startsWith("layer3."));
    }

    /**
     * eval takes the same selection as quantize: two-bit codes in the last layer alone cost far
     * less accuracy than in every layer.
     */
    @Test
    void evalQuantizesOnlyTheSelectedWeights() {
        double all = resnetAccuracyAtTwoBits();
        double lastLayer = resnetAccuracyAtTwoBits("--include", "^linear\\.weight$");
        assertThat(lastLayer).isGreaterThan(all + 0.3);
        Run noSpec =
                djlq("eval", resnet.toString(), "--exclude", "conv", "--data", data.toString());
        assertThat(noSpec.code()).isEqualTo(2);
        assertThat(noSpec.err()).contains("need --spec");
    }

    private static double resnetAccuracyAtTwoBits(String... selection) {
        List<String> options = new ArrayList<>(List.of("--spec", "dt2@row", "--json"));
        options.addAll(List.of(selection));
        Run r = evalResNet(options.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        return JsonParser.parseString(r.out()).getAsJsonObject().get("accuracy").getAsDouble();
    }

    /** {@code djlq quantize} of ResNet20 into a directory that a usage error must not create. */
    private static Run quantizeResNet(String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "quantize",
                                "--model",
                                resnet.toString(),
                                "--out",
                                tmp.resolve("x").toString()));
        args.addAll(List.of(options));
        return djlq(args.toArray(new String[0]));
    }

    @Test
    @Order(6)
    void usageErrorsExitWithTwo() {
        assertThat(djlq("quantize", "--model", resnet.toString()).code()).isEqualTo(2);
        Run badSpec = quantizeResNet("--spec", "dt9@row");
        assertThat(badSpec.code()).isEqualTo(2);
        assertThat(badSpec.err()).contains("dt9");
        Run badRegex = quantizeResNet("--spec", "int8@row", "--exclude", "conv(");
        assertThat(badRegex.code()).isEqualTo(2);
        assertThat(badRegex.err()).contains("Bad exclude regex 'conv(': Unclosed group");
        Run badOverride = quantizeResNet("--spec", "int8@row", "--override", "conv=dt9@row");
        assertThat(badOverride.code()).isEqualTo(2);
        assertThat(badOverride.err()).contains("dt9@row");
        Run noEquals = quantizeResNet("--spec", "int8@row", "--override", "conv");
        assertThat(noEquals.code()).isEqualTo(2);
        assertThat(noEquals.err()).contains("--override takes <regex>=<spec>", "'conv'");
        Run compressedTorchScript = quantizeResNet("--spec", "int8@row", "--mode", "compressed");
        assertThat(compressedTorchScript.code()).isEqualTo(2);
        assertThat(compressedTorchScript.err()).contains("--arch");
        assertThat(
                        djlq(
                                        "eval",
                                        checkpoint.toString(),
                                        "--data",
                                        data.toString(),
                                        "--limit",
                                        "5",
                                        "--per-class",
                                        "5")
                                .code())
                .isEqualTo(2);
        // Refused before any data is read: this --data directory holds no CIFAR-10.
        Run zeroLimit =
                djlq("eval", checkpoint.toString(), "--data", tmp.toString(), "--limit", "0");
        assertThat(zeroLimit.code()).isEqualTo(2);
        assertThat(zeroLimit.err()).contains("--limit must be positive");
        Run specOnCheckpoint =
                djlq("eval", checkpoint.toString(), "--spec", "int8", "--data", data.toString());
        assertThat(specOnCheckpoint.code()).isEqualTo(2);
        assertThat(specOnCheckpoint.err()).contains("quantized checkpoint");
        assertThat(djlq("eval", checkpoint.toString(), "--data", tmp.toString()).code())
                .isEqualTo(2);
        assertThat(djlq("no-such-command").code()).isEqualTo(2);
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    @Order(7)
    void damagedCheckpointsFailWithOneAndNameTheFile() throws Exception {
        Path copy = tmp.resolve("damaged");
        Files.createDirectories(copy);
        try (var files = Files.list(checkpoint)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path params = copy.resolve("model-0000.params");
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(params, bytes);
        Run inspect = djlq("inspect", copy.toString());
        assertThat(inspect.code()).isEqualTo(1);
        assertThat(inspect.err()).contains(params.toString(), "sha256 mismatch");
        Run eval =
                djlq(
                        "eval",
                        copy.toString(),
                        "--data",
                        data.toString(),
                        "--cache-dir",
                        cache(),
                        "--limit",
                        "10",
                        "--quiet");
        assertThat(eval.code()).isEqualTo(1);
        assertThat(eval.err()).contains(params.toString());
        Run missing = djlq("inspect", tmp.resolve("nothing-here").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("manifest.json", "missing").doesNotContain("\tat ");
        // With the debug switch, the same failure also shows where it came from.
        System.setProperty(Djlq.DEBUG_PROPERTY, "true");
        try {
            Run traced = djlq("inspect", tmp.resolve("nothing-here").toString());
            assertThat(traced.code()).isEqualTo(1);
            assertThat(traced.err())
                    .startsWith(missing.err().lines().findFirst().orElseThrow())
                    .contains("CheckpointException", "\tat dev.djlquant.");
        } finally {
            System.clearProperty(Djlq.DEBUG_PROPERTY);
        }
        Path notTorchScript = tmp.resolve("notes.pt");
        Files.writeString(notTorchScript, "not a model\n");
        String model = notTorchScript.toString();
        Path out = tmp.resolve("from-notes");
        List<Run> runs =
                List.of(
                        djlq("quantize", "--model", model, "--spec", "int8@row", "--out", "" + out),
                        djlq("eval", model, "--data", data.toString(), "--limit", "10"));
        for (Run run : runs) {
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("Cannot load TorchScript model " + model);
        }
        assertThat(tmp.resolve("from-notes")).doesNotExist();
    }

    @Test
    void demoRejectsABadSpecAndAMissingModelAsUsageErrors() {
        Run spec = djlq("demo", "--model", resnet.toString(), "--spec", "int8@row,int9@row");
        assertThat(spec.code()).as(spec.err()).isEqualTo(2);
        assertThat(spec.err()).contains("Bad quantizer spec 'int9@row'", "2 to 8 bits");
        assertThat(spec.out()).isEmpty();
        Run missing = djlq("demo", "--model", tmp.resolve("no-such.pt").toString());
        assertThat(missing.code()).as(missing.err()).isEqualTo(2);
        assertThat(missing.err()).contains("No model file at", "no-such.pt");
        Run directory = djlq("demo", "--model", tmp.toString());
        assertThat(directory.code()).as(directory.err()).isEqualTo(2);
        assertThat(directory.err()).contains("is a directory; demo takes a TorchScript file");
    }

    @Test
    void demoPrintsOneReportPerSpec() {
        Run run = djlq("demo", "--model", resnet.toString(), "--spec", "int8@row,nf4@block64");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("## int8@row", "## nf4@block64", "| conv1.weight |");
    }

    @Test
    void benchRejectsAnUnknownModel() {
        Run run = djlq("bench", "--model", "resnet", "--skip-kernel");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown --model 'resnet'", "alexnet, vgg16, all");
    }

    @Test
    void benchModelNamesIgnoreCase() {
        Run run = djlq("bench", "--model", "VGG16", "--skip-kernel", "--skip-model");
        assertThat(run.code()).as(run.err()).isZero();
    }

    @Test
    void benchRejectsQuickAndFullTogether() {
        assertThat(djlq("bench", "--quick", "--full").code()).isEqualTo(2);
    }

    @Test
    void benchRejectsFewerThanOneTorchThread() {
        Run run = djlq("bench", "--torch-threads", "0", "--skip-kernel", "--skip-model");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--torch-threads must be 1 or more, got 0");
    }

    @Test
    void benchWithEverythingSkippedPrintsTheHeaderAndAnEmptyTable() throws Exception {
        Path out = tmp.resolve("bench.md");
        Run run = djlq("bench", "--skip-kernel", "--skip-model", "--out", out.toString());
        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out())
                .contains(
                        "djlq bench (quick)",
                        "load average at the start",
                        "libtorch intra-op threads")
                .contains("| level | measured | ratio of | value | baseline | ratio | target |");
        assertThat(Files.readString(out)).isEqualTo(run.out());
    }

    /**
     * A float16 TorchScript keeps its unquantized parameters in the referenced file, not in the
     * checkpoint: the "Wrote" line must not count them among the bytes on disk (it once printed
     * -4377 bytes of metadata for AlexNet).
     */
    @Test
    @Order(8)
    void aLinkedTorchScriptCheckpointAccountsForItsBytesOnDisk() {
        Path out = tmp.resolve("alexnet-ts-dt4");
        Run q =
                djlq(
                        "quantize",
                        "--model",
                        alexnet.toString(),
                        "--spec",
                        "dt4@row",
                        "--out",
                        out.toString(),
                        "--link-torchscript",
                        "--exclude",
                        "no-such-layer",
                        "--quiet");
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(q.err()).contains("warning: regex 'no-such-layer' matched no parameter");
        assertPartsAddUp(q.out());
        assertThat(q.out()).contains("unquantized bytes are read from the referenced TorchScript");
    }

    /**
     * The "Wrote" line's parts (before any semicolon) are non-negative and add up to the bytes on
     * disk.
     */
    private static void assertPartsAddUp(String out) {
        Matcher m = Pattern.compile("Wrote .*: (\\d+) bytes on disk \\((.*)\\)\\.").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long total = Long.parseLong(m.group(1));
        long sum = 0;
        // The parts before a semicolon, without remarks in parentheses.
        String parts = m.group(2).split(";")[0].replaceAll("\\([^)]*\\)", "");
        Matcher part = Pattern.compile("(-?\\d+)").matcher(parts);
        while (part.find()) {
            long bytes = Long.parseLong(part.group(1));
            assertThat(bytes).as(m.group()).isNotNegative();
            sum += bytes;
        }
        assertThat(sum).as(m.group()).isEqualTo(total);
    }

    @Test
    void aDjlModelDirectoryNeedsItsArchitectureForQuantizeAndEval() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("djl-dir"));
        Files.write(dir.resolve("net-0000.params"), new byte[] {1, 2, 3});
        Run quantize =
                djlq(
                        "quantize",
                        "--model",
                        dir.toString(),
                        "--spec",
                        "int8@row",
                        "--out",
                        tmp.resolve("q").toString());
        Run eval = djlq("eval", dir.toString(), "--spec", "int8@row", "--data", data.toString());
        for (Run r : List.of(quantize, eval)) {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("A DJL model directory needs --arch");
        }
        assertThat(tmp.resolve("q")).doesNotExist();
    }
}
