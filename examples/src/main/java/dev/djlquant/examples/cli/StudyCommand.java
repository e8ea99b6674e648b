package dev.djlquant.examples.cli;

import dev.djlquant.data.CifarData;
import dev.djlquant.examples.study.Study;
import dev.djlquant.examples.study.StudyCharts;
import dev.djlquant.examples.study.StudyConfig;
import dev.djlquant.examples.study.StudyData;
import dev.djlquant.examples.study.StudyFiles;
import dev.djlquant.examples.study.StudyResult;
import dev.djlquant.examples.study.StudySchemes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code djlq study alexnet|vgg16|all}: the study reproduction, results and charts. */
@Command(
        name = "study",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = StudyCommand.Replot.class,
        description = {
            "Reproduce \"Evaluating Row-Wise Dynamic Tree Quantization\": import pretrained"
                    + " AlexNet/VGG16 weights, fine-tune the classifier on CIFAR-10, quantize with"
                    + " every scheme, and write results.md/.csv/.json and PNG charts.",
            "",
            "--quick (minutes on 2 cores): 1 epoch on 2,000 training images, 1,000 test images.",
            "Default (full): 2 epochs on all 50,000 training images, all 10,000 test images.",
            "'djlq study replot DIR...' redraws the charts of earlier runs."
        })
final class StudyCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "MODEL",
            description = "alexnet, vgg16 or all (both, one after the other).")
    String model;

    @Option(
            names = "--quick",
            description = "Short run: 1 epoch on 2,000 images, 1,000 test images, every scheme.")
    boolean quick;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Results go to DIR/<model>[-quick]/ (default: results, under the current"
                            + " directory).")
    Path out = Path.of("results");

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "CIFAR-10: a folder with {train,test}-jpg.tar.gz, the binary"
                            + " cifar-10-batches-bin, or train/ and test/ image folders (default:"
                            + " <shared>/data/cifar10).")
    Path data;

    @Option(
            names = "--download",
            description = "Let DJL download CIFAR-10 (binary) instead of reading --data.")
    boolean download;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description =
                    "Where archives are extracted (default: target/cifar10-cache in the"
                            + " repository).")
    Path cache = Locations.cifarCache();

    @Option(
            names = "--shared",
            paramLabel = "DIR",
            description =
                    "The shared models and data (default: ../shared beside the repository;"
                            + " system property djlq.shared).")
    Path shared;

    @Option(
            names = "--pretrained",
            paramLabel = "FILE.pt",
            description =
                    "TorchScript weights to start from, imported by parameter order (default:"
                            + " <shared>/models/<model>_cifar10_fp16.pt). Not with 'all'.")
    Path pretrained;

    @Option(
            names = "--scratch",
            description = "Train every layer from random weights (slow on a CPU).")
    boolean scratch;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Fine-tuning epochs (quick: 1, full: 2; 0 skips fine-tuning).")
    Integer epochs;

    @Option(
            names = "--train-images",
            paramLabel = "N",
            description =
                    "Training images: the first N/10 per class, or a seeded random sample of N"
                            + " when N is not a multiple of 10 (quick: 2000, full: 0 = all).")
    Integer trainImages;

    @Option(
            names = "--test-images",
            paramLabel = "N",
            description =
                    "Test images: the first N/10 per class, or a seeded random sample of N"
                            + " when N is not a multiple of 10 (quick: 1000, full: 0 = all).")
    Integer testImages;

    @Option(names = "--batch-size", paramLabel = "N", description = "Training batch (64).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (0.001).")
    Float learningRate;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (42).")
    Long seed;

    @Option(
            names = "--schemes",
            split = ",",
            paramLabel = "SPEC",
            description =
                    "Schemes to sweep, comma-separated (default: the study's list, see"
                            + " docs/STUDY.md).")
    List<String> schemes;

    @Option(
            names = "--no-save-model",
            description = "Do not save the fine-tuned float32 model under the output folder.")
    boolean noSaveModel;

    @Option(
            names = "--keep-checkpoints",
            description = "Keep every quantized checkpoint under <output>/checkpoints/.")
    boolean keepCheckpoints;

    @Option(names = "--no-charts", description = "Skip the PNG charts.")
    boolean noCharts;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Path sharedDir = shared != null ? shared : Locations.shared();
        // Every option is checked before the data is opened, which can take minutes.
        List<StudyConfig> configs = configs(sharedDir);
        CifarData cifar =
                download
                        ? CifarData.fromDjlDownload()
                        : StudyData.open(
                                data != null ? data : sharedDir.resolve("data/cifar10"), cache);
        List<StudyResult> results = new ArrayList<>();
        long start = System.nanoTime();
        for (StudyConfig c : configs) {
            results.add(Study.run(c, cifar));
        }
        if (results.size() > 1) {
            System.out.printf(
                    Locale.ROOT,
                    "All models done in %.1f min.%n",
                    (System.nanoTime() - start) / 60e9);
        }
        return 0;
    }

    /**
     * The study's settings for each model the command line names, every option checked; the
     * pretrained files are looked up in {@code sharedDir} unless given.
     */
    List<StudyConfig> configs(Path sharedDir) throws NoSuchFileException {
        List<String> models = models();
        // Results are written after minutes of work: an --out they cannot go to is refused now.
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is not a folder");
        }
        UsageChecks.requireWritableUnder(spec.commandLine(), out, out);
        if (pretrained != null && models.size() > 1) {
            throw new ParameterException(
                    spec.commandLine(), "--pretrained names one model's weights; not with 'all'");
        }
        if (pretrained != null && scratch) {
            throw new ParameterException(
                    spec.commandLine(), "--pretrained and --scratch exclude each other");
        }
        if (schemes != null) {
            for (String s : schemes) {
                try {
                    StudySchemes.check(s);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
        }
        List<StudyConfig> configs = new ArrayList<>();
        for (String m : models) {
            configs.add(config(m, sharedDir));
        }
        return configs;
    }

    private List<String> models() {
        if (model == null) {
            throw new ParameterException(
                    spec.commandLine(), "Missing MODEL: alexnet, vgg16 or all");
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (m.equals("all")) {
            return StudyConfig.MODELS;
        }
        if (!StudyConfig.MODELS.contains(m)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Unknown model '" + model + "'; expected alexnet, vgg16 or all");
        }
        return List.of(m);
    }

    /** The study's settings for {@code m}; out-of-range values are command-line errors. */
    private StudyConfig config(String m, Path sharedDir) throws NoSuchFileException {
        try {
            return configOrThrow(m, sharedDir);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private StudyConfig configOrThrow(String m, Path sharedDir) throws NoSuchFileException {
        StudyConfig.Builder b = quick ? StudyConfig.quick(m) : StudyConfig.full(m);
        b.optOutputDir(out.resolve(m + (quick ? "-quick" : "")));
        if (!scratch) {
            if (pretrained != null && !Files.isRegularFile(pretrained)) {
                // The user's own path: a usage error (exit code 2), as demo's and eval's model.
                throw new ParameterException(
                        spec.commandLine(),
                        "--pretrained "
                                + pretrained
                                + (Files.isDirectory(pretrained)
                                        ? " is a directory; it takes a TorchScript file"
                                        : ": no such file"));
            }
            Path file =
                    pretrained != null ? pretrained : StudyConfig.sharedPretrained(sharedDir, m);
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(
                        file.toAbsolutePath().toString(),
                        null,
                        "no pretrained TorchScript file; pass --pretrained FILE.pt or --scratch");
            }
            b.optPretrained(file);
        }
        if (epochs != null) {
            b.optEpochs(epochs);
        }
        if (trainImages != null) {
            b.optTrainImages(trainImages);
        }
        if (testImages != null) {
            b.optTestImages(testImages);
        }
        if (batchSize != null) {
            b.optBatchSize(batchSize);
        }
        if (learningRate != null) {
            b.optLearningRate(learningRate);
        }
        if (seed != null) {
            b.optSeed(seed);
        }
        if (schemes != null) {
            b.optSchemes(schemes);
        }
        return b.optSaveModel(!noSaveModel)
                .optKeepCheckpoints(keepCheckpoints)
                .optCharts(!noCharts)
                .optProgress(!noProgress)
                .optCommand(commandLine())
                .build();
    }

    /**
     * {@code djlq study replot DIR...}: charts and {@code results.md} from a saved {@code
     * results.json}.
     */
    @Command(
            name = "replot",
            mixinStandardHelpOptions = true,
            description =
                    "Redraw the PNG charts and rewrite results.md of earlier runs from their"
                            + " results.json, without training or evaluating anything.")
    static final class Replot implements Callable<Integer> {

        @Parameters(
                paramLabel = "DIR",
                arity = "1..*",
                description = "Result folders holding a results.json.")
        List<Path> dirs;

        @Override
        public Integer call() throws Exception {
            for (Path dir : dirs) {
                Path json = dir.resolve("results.json");
                if (!Files.isRegularFile(json)) {
                    throw new NoSuchFileException(json.toString(), null, "no results.json");
                }
                StudyResult result;
                try {
                    result = StudyFiles.readJson(Files.readString(json));
                } catch (RuntimeException e) {
                    throw new IOException(json + ": " + e.getMessage(), e);
                }
                Path layers = dir.resolve("layers.csv");
                if (Files.isRegularFile(layers)) {
                    result = StudyFiles.withLayers(result, Files.readString(layers));
                }
                StudyCharts.write(result, dir);
                StudyFiles.writeMarkdown(result, dir, true);
                System.out.println("Charts and results.md redrawn in " + dir);
            }
            return 0;
        }
    }

    private String commandLine() {
        // The parse result of a subcommand holds the whole command line, "study" included.
        return "./djlq " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
