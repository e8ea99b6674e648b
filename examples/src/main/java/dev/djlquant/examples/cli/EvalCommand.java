package dev.djlquant.examples.cli;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import com.google.gson.GsonBuilder;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CheckpointReader;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Top-1 accuracy of a model or checkpoint on the CIFAR-10 test set. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Top-1 accuracy on the CIFAR-10 test set of a checkpoint, a TorchScript model (as"
                    + " itself, or imported into --arch), or a DJL model directory (with --arch);"
                    + " with --spec, after quantizing its weights in SIMULATE mode.",
        },
        footer = {
            "",
            "Examples:",
            "  djlq eval ckpt/alexnet-dt4 --data ../shared/data/cifar10 --per-class 100",
            "  djlq eval ../shared/models/alexnet_cifar10_fp16.pt --arch alexnet-cifar10 \\",
            "      --spec dt4@row --data ../shared/data/cifar10 --limit 500 --json",
            "",
            "Exit codes: 0 evaluated, 1 the job failed, 2 the command line was wrong."
        })
final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(
            paramLabel = "<model|checkpoint>",
            description = "Checkpoint directory, TorchScript .pt file, or DJL model directory.")
    Path model;

    @Option(
            names = "--arch",
            paramLabel = "<name>",
            description =
                    "alexnet-cifar10 or vgg16-cifar10: import the TorchScript weights by order"
                            + " into this DJL-native architecture (or rebuild a DJL model"
                            + " directory).")
    String arch;

    @Option(
            names = "--spec",
            paramLabel = "<spec>",
            converter = SpecConverter.class,
            description = "Quantize in SIMULATE mode with this scheme first, e.g. dt4@row.")
    Quantizer quantizer;

    @Mixin SelectionOptions selection;

    @Option(
            names = "--data",
            paramLabel = "<dir>",
            description =
                    "CIFAR-10: a directory with test-jpg.tar.gz, a test/<class>/*.jpg tree, or"
                            + " test_batch.bin (default: <shared>/data/cifar10, as for study).")
    Path data = Locations.shared().resolve("data/cifar10");

    /** At most one way to take a subset. */
    static final class Subset {
        @Option(
                names = "--limit",
                paramLabel = "<n>",
                description = "Evaluate n test images drawn with a fixed seed (all classes).")
        Integer limit;

        @Option(
                names = "--per-class",
                paramLabel = "<n>",
                description = "Evaluate the first n test images of every class.")
        Integer perClass;
    }

    @ArgGroup(exclusive = true)
    Subset subset;

    @Option(
            names = "--batch-size",
            paramLabel = "<n>",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize = 100;

    @Option(
            names = "--normalize",
            paramLabel = "<cifar|imagenet|m,m,m/s,s,s>",
            converter = NormalizationConverter.class,
            description =
                    "Input normalization: "
                            + NormalizationConverter.VALUES
                            + ". Default: the one a checkpoint records, else cifar.")
    ImageNormalization normalize;

    @Option(
            names = "--cache-dir",
            paramLabel = "<dir>",
            description =
                    "Where extracted archives are kept (default: target/cifar10-cache in the"
                            + " repository, shared with study).")
    Path cacheDir = Locations.cifarCache();

    @Option(names = "--json", description = "Print one JSON object (accuracy, correct, n, ...).")
    boolean json;

    @Option(names = "--quiet", description = "No progress output on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Inputs.checkArch(spec, arch);
        if (batchSize <= 0) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be positive");
        }
        checkSubsetPositive();
        Inputs.ModelPath source = Inputs.model(spec, model);
        if (source.kind() == Inputs.ModelKind.CHECKPOINT && (quantizer != null || arch != null)) {
            throw new ParameterException(
                    spec.commandLine(),
                    model
                            + " is a quantized checkpoint: --spec and --arch apply to float models"
                            + " only");
        }
        if (selection.isSet() && quantizer == null) {
            throw new ParameterException(
                    spec.commandLine(), "--include, --exclude and --override need --spec");
        }
        QuantConfig config = quantizer == null ? null : selection.config(quantizer, spec).build();
        if (source.kind() == Inputs.ModelKind.DJL_DIRECTORY && arch == null) {
            throw new ParameterException(
                    spec.commandLine(), "A DJL model directory needs --arch to rebuild its block");
        }
        ImageNormalization normalization = normalize;
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            // Fail on a damaged checkpoint before spending time on the data.
            CheckpointManifest manifest = CheckpointReader.verify(source.path());
            if (normalization == null) {
                normalization = manifest.normalization();
            }
        }
        if (normalization == null) {
            normalization = ImageNormalization.CIFAR10;
        }
        CifarData cifar = Inputs.cifar(spec, data, cacheDir);
        StderrProgress progress = new StderrProgress(spec.commandLine().getErr(), quiet);
        progress.status("Reading " + cifar + " ...");
        CifarImages images = subset(cifar.images(Dataset.Usage.TEST));
        CifarDataset dataset = CifarDataset.builder(images).optNormalization(normalization).build();
        Evaluation.Accuracy accuracy;
        String kind;
        progress.status("Loading " + source.path() + " ...");
        long start = System.nanoTime();
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            kind = "checkpoint";
            try (ZooModel<NDList, NDList> m =
                    CheckpointReader.load(source.path(), NDList.class, NDList.class)) {
                loaded(progress, start);
                accuracy = evaluate(m, m.getBlock(), dataset, progress);
            }
        } else if (arch != null) {
            kind = "djl-native " + arch;
            try (Model m = Inputs.nativeModel(source, arch)) {
                loaded(progress, start);
                quantize(m, config, progress);
                accuracy = evaluate(m, m.getBlock(), dataset, progress);
            }
        } else {
            kind = "torchscript";
            try (ZooModel<NDList, NDList> m = TorchScriptImport.open(source.path(), true)) {
                loaded(progress, start);
                quantize(m, config, progress);
                accuracy = evaluate(m, m.getBlock(), dataset, progress);
            }
        }
        print(accuracy, kind, images.size(), normalization);
        return 0;
    }

    private static void loaded(StderrProgress progress, long start) {
        progress.status(
                String.format(Locale.ROOT, "Loaded in %.2f s", (System.nanoTime() - start) / 1e9));
    }

    /** Refuses a subset size below 1 before any data is read; the upper bound needs the data. */
    private void checkSubsetPositive() {
        if (subset == null) {
            return;
        }
        if (subset.limit != null && subset.limit <= 0) {
            throw new ParameterException(spec.commandLine(), "--limit must be positive");
        }
        if (subset.perClass != null && subset.perClass <= 0) {
            throw new ParameterException(spec.commandLine(), "--per-class must be positive");
        }
    }

    private CifarImages subset(CifarImages test) {
        if (subset == null) {
            return test;
        }
        if (subset.limit != null) {
            if (subset.limit > test.size()) {
                throw new ParameterException(
                        spec.commandLine(), "--limit must be 1.." + test.size());
            }
            return test.sample(subset.limit, 0);
        }
        try {
            return test.firstPerClass(subset.perClass);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Quantizes {@code m} in SIMULATE mode with {@code config}, if there is one. */
    private static void quantize(Model m, QuantConfig config, StderrProgress progress) {
        if (config != null) {
            progress.status("Quantizing with " + config.scheme().spec() + " (SIMULATE) ...");
            Quantizers.apply(m, config);
        }
    }

    private Evaluation.Accuracy evaluate(
            Model m, Block block, CifarDataset dataset, StderrProgress progress) throws Exception {
        return Evaluation.accuracy(
                CastingBlock.forWeightsOf(block),
                new ParameterStore(m.getNDManager(), false),
                dataset,
                batchSize,
                progress);
    }

    private void print(
            Evaluation.Accuracy accuracy, String kind, int n, ImageNormalization normalization) {
        PrintWriter out = spec.commandLine().getOut();
        String subsetText =
                subset == null
                        ? "all"
                        : subset.limit != null
                                ? "sample of " + subset.limit + " (seed 0)"
                                : "first " + subset.perClass + " per class";
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("accuracy", accuracy.fraction());
            o.put("correct", accuracy.correct());
            o.put("n", accuracy.total());
            o.put("model", model.toString());
            o.put("kind", kind);
            o.put("spec", quantizer == null ? null : quantizer.spec());
            o.put("data", data.toString());
            o.put("subset", subsetText);
            o.put("normalization", normalization.describe());
            out.println(new GsonBuilder().serializeNulls().create().toJson(o));
        } else {
            out.printf(
                    Locale.ROOT,
                    "Accuracy %s of %s (%s%s) on the CIFAR-10 test set (%s, %d images, normalized"
                            + " as %s)%n",
                    accuracy,
                    model,
                    kind,
                    quantizer == null ? "" : ", " + quantizer.spec() + " simulated",
                    subsetText,
                    n,
                    normalization.describe());
        }
        out.flush();
    }
}
