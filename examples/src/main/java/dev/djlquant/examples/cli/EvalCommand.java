package dev.djlquant.examples.cli;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import com.google.gson.GsonBuilder;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.zoo.CheckpointReader;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
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
                    + " with --spec, after quantizing its weights in SIMULATE mode, and with"
                    + " several specs, of the float model and each scheme in one table.",
        },
        footer = {
            "",
            "Examples:",
            "  djlq eval ckpt/alexnet-dt4 --per-class 100",
            "  djlq eval ../shared/models/alexnet_cifar10_fp16.pt --arch alexnet-cifar10 \\",
            "      --spec dt4@row --limit 500 --json",
            "  djlq eval ../shared/models/resnet20_cifar10.pt --normalize imagenet \\",
            "      --spec int8@row,dt4@row,nf4@block64     # one table, float model first",
            "  djlq eval ../shared/models/resnet20_cifar10.pt --normalize imagenet \\",
            "      --spec dt4@row --per-layer              # each weight alone, then all",
            "",
            "Exit codes: 0 evaluated, 1 the job failed (with several specs: a scheme could not"
                    + " be applied; its reason is under the table), 2 the command line was wrong."
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
            split = ",",
            converter = SpecConverter.class,
            description =
                    "Quantize in SIMULATE mode with this scheme first, e.g. dt4@row. Several,"
                            + " comma-separated: evaluate the float model, then each scheme on a"
                            + " fresh copy, and print one table (accuracy, bits per weight, the"
                            + " study's estimate, SQNR, MAE).")
    List<Quantizer> quantizers = new ArrayList<>();

    @Mixin SelectionOptions selection;

    @Option(
            names = "--per-layer",
            description =
                    "With one --spec: quantize each weight it selects alone (the others stay"
                            + " float), then all of them, and print one table: where the accuracy"
                            + " goes, for choosing --override or --exclude.")
    boolean perLayer;

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

    @Option(
            names = "--json",
            description =
                    "Print one JSON object (accuracy, correct, n, ...; with several specs, one"
                            + " object a model under rows).")
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
        if (source.kind() == Inputs.ModelKind.CHECKPOINT
                && (!quantizers.isEmpty() || arch != null)) {
            throw new ParameterException(
                    spec.commandLine(),
                    model
                            + " is a quantized checkpoint: --spec and --arch apply to float models"
                            + " only");
        }
        if (selection.isSet() && quantizers.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "--include, --exclude and --override need --spec");
        }
        if (perLayer && quantizers.size() != 1) {
            throw new ParameterException(
                    spec.commandLine(), "--per-layer takes exactly one --spec");
        }
        List<QuantConfig> configs = new ArrayList<>();
        for (Quantizer q : quantizers) {
            configs.add(selection.config(q, spec).build());
        }
        Inputs.requireArchFor(spec, source, arch);
        ImageNormalization normalization = normalizationFor(source);
        CifarData cifar = Inputs.cifar(spec, data, cacheDir);
        StderrProgress progress = new StderrProgress(spec.commandLine().getErr(), quiet);
        progress.status("Reading " + cifar + " ...");
        CifarImages images = subset(cifar.images(Dataset.Usage.TEST));
        CifarDataset dataset = CifarDataset.builder(images).optNormalization(normalization).build();
        Run run = new Run(source, images.size(), normalization);
        if (perLayer) {
            return print(perLayer(source, quantizers.get(0), dataset, progress), run);
        }
        if (configs.size() <= 1) {
            QuantConfig config = configs.isEmpty() ? null : configs.get(0);
            print(evaluate(source, config, dataset, progress).accuracy(), run);
            return 0;
        }
        SweepTable table = new SweepTable("spec");
        table.add(evaluate(source, null, dataset, progress));
        for (QuantConfig config : configs) {
            table.add(evaluateOrExplain(source, config, config.scheme().spec(), dataset, progress));
        }
        return print(table, run);
    }

    /**
     * The float model, then {@code scheme} on each weight it selects alone (every other selected
     * weight excluded by its exact name), then on all of them.
     */
    private SweepTable perLayer(
            Inputs.ModelPath source,
            Quantizer scheme,
            CifarDataset dataset,
            StderrProgress progress)
            throws Exception {
        SweepTable table = new SweepTable("weight");
        table.add(evaluate(source, null, dataset, progress));
        SweepTable.Row all =
                evaluate(source, selection.config(scheme, spec).build(), dataset, progress);
        List<String> names =
                all.report().rows().stream().map(QuantizationReport.Row::name).toList();
        for (String name : names) {
            QuantConfig.Builder alone = selection.config(scheme, spec);
            names.stream()
                    .filter(other -> !other.equals(name))
                    .forEach(other -> alone.addExclude("^" + Pattern.quote(other) + "$"));
            table.add(evaluateOrExplain(source, alone.build(), name, dataset, progress));
        }
        table.add(all.labelled("all " + names.size() + " weights"));
        return table;
    }

    /**
     * {@link #evaluate}, or a row with the reason where the model refuses the scheme (+dq on too
     * wide a range of scales, say), so that the other rows are still evaluated.
     */
    private SweepTable.Row evaluateOrExplain(
            Inputs.ModelPath source,
            QuantConfig config,
            String label,
            CifarDataset dataset,
            StderrProgress progress)
            throws Exception {
        try {
            return evaluate(source, config, dataset, progress).labelled(label);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return SweepTable.Row.failed(label, e.getMessage());
        }
    }

    /**
     * {@code --normalize}, else what a checkpoint records, else CIFAR-10's. A checkpoint is
     * verified here, so that a damaged one fails before any time goes into reading the data.
     */
    private ImageNormalization normalizationFor(Inputs.ModelPath source) throws Exception {
        ImageNormalization recorded = null;
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            recorded = CheckpointReader.verify(source.path()).normalization();
        }
        if (normalize != null) {
            return normalize;
        }
        return recorded != null ? recorded : ImageNormalization.CIFAR10;
    }

    /** What every output names: the model as given, its kind, the images and normalization. */
    private record Run(Inputs.ModelPath source, int images, ImageNormalization normalization) {}

    /**
     * Loads the model afresh, quantizes it with {@code config} in SIMULATE mode if there is one,
     * and evaluates it on {@code dataset}; the row has no label (the float model's), callers label
     * the quantized ones.
     */
    private SweepTable.Row evaluate(
            Inputs.ModelPath source,
            QuantConfig config,
            CifarDataset dataset,
            StderrProgress progress)
            throws Exception {
        progress.status("Loading " + source.path() + " ...");
        long start = System.nanoTime();
        try (Model m = load(source)) {
            loaded(progress, start);
            QuantizationReport report = null;
            if (config != null) {
                progress.status("Quantizing with " + config.scheme().spec() + " (SIMULATE) ...");
                report = Quantizers.apply(m, config);
            }
            Evaluation.Accuracy accuracy =
                    Evaluation.accuracy(
                            CastingBlock.forWeightsOf(m.getBlock()),
                            new ParameterStore(m.getNDManager(), false),
                            dataset,
                            batchSize,
                            progress);
            return new SweepTable.Row(null, accuracy, report);
        }
    }

    private Model load(Inputs.ModelPath source) throws Exception {
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            return CheckpointReader.load(source.path(), NDList.class, NDList.class);
        }
        if (arch != null) {
            return Inputs.nativeModel(source, arch);
        }
        return TorchScriptImport.open(source.path(), true);
    }

    private String kind(Inputs.ModelPath source) {
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            return "checkpoint";
        }
        return arch != null ? "djl-native " + arch : "torchscript";
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

    private void print(Evaluation.Accuracy accuracy, Run run) {
        PrintWriter out = spec.commandLine().getOut();
        String scheme = quantizers.isEmpty() ? null : quantizers.get(0).spec();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("accuracy", accuracy.fraction());
            o.put("correct", accuracy.correct());
            o.put("spec", scheme);
            o.putAll(describe(run));
            out.println(new GsonBuilder().serializeNulls().create().toJson(o));
        } else {
            out.printf(
                    Locale.ROOT,
                    "Accuracy %s of %s (%s%s) on the CIFAR-10 test set (%s)%n",
                    accuracy,
                    model,
                    kind(run.source()),
                    scheme == null ? "" : ", " + scheme + " simulated",
                    testSet(run));
        }
        out.flush();
    }

    /** Prints a table of copies and returns the exit code: 1 if a scheme was not applied. */
    private int print(SweepTable table, Run run) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = describe(run);
            if (perLayer) {
                o.put("spec", quantizers.get(0).spec());
            }
            o.put("rows", table.toMaps());
            out.println(new GsonBuilder().serializeNulls().create().toJson(o));
        } else {
            out.printf(
                    Locale.ROOT,
                    "Accuracy of %s (%s) on the CIFAR-10 test set (%s), %s:%n%n%s",
                    model,
                    kind(run.source()),
                    testSet(run),
                    perLayer
                            ? quantizers.get(0).spec()
                                    + " simulated on one weight at a time, then on all"
                            : "each scheme simulated on a fresh copy",
                    table.toMarkdown());
        }
        out.flush();
        return table.hasFailures() ? 1 : 0;
    }

    /** The fields every JSON output has: which model, which images, how normalized. */
    private Map<String, Object> describe(Run run) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("n", run.images());
        o.put("model", model.toString());
        o.put("kind", kind(run.source()));
        o.put("data", data.toString());
        o.put("subset", subsetText());
        o.put("normalization", run.normalization().describe());
        return o;
    }

    private String testSet(Run run) {
        return String.format(
                Locale.ROOT,
                "%s, %d images, normalized as %s",
                subsetText(),
                run.images(),
                run.normalization().describe());
    }

    private String subsetText() {
        if (subset == null) {
            return "all";
        }
        return subset.limit != null
                ? "sample of " + subset.limit + " (seed 0)"
                : "first " + subset.perClass + " per class";
    }
}
