package dev.djlquant.examples.qat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.training.Freezing;
import dev.djlquant.training.QatTraining;
import dev.djlquant.training.QuantizationListener;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Post-training quantization against quantization-aware training on real data: the shared
 * AlexNet-CIFAR weights, imported into DJL-native layers, quantized as they are (PTQ) and after a
 * short QAT fine-tune (the classifier only, or everything), scored on CIFAR-10 test images. A
 * control fine-tunes the float model the same way and quantizes afterwards, to separate what QAT
 * adds from what any fine-tune adds. Prints progress and a Markdown table.
 */
@Command(
        name = "qat-experiment",
        mixinStandardHelpOptions = true,
        description = "PTQ vs QAT fine-tune of AlexNet-CIFAR on the CIFAR-10 test set.")
public final class QatExperiment implements Callable<Integer> {

    /** Parameter-name prefix of AlexNet-CIFAR's convolutions in the DJL-native block. */
    static final String FEATURES_PREFIX = "01SequentialBlock_";

    /** Parameter-name prefix of AlexNet-CIFAR's classifier in the DJL-native block. */
    static final String CLASSIFIER_PREFIX = "02SequentialBlock_";

    /** Records per evaluation batch. */
    private static final int EVAL_BATCH = 200;

    /** What the fine-tune updates. */
    enum Scope {
        /** The three Linear layers; the convolutions stay frozen (still seen quantized). */
        CLASSIFIER,
        /** Every parameter. */
        ALL
    }

    @Option(names = "--shared", description = "Shared models and data (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("../shared");

    @Option(
            names = "--cache",
            description = "Where the JPEG archives are extracted once (default: ${DEFAULT-VALUE}).")
    Path cache = Path.of("target/cifar10-cache");

    @Option(
            names = "--spec",
            split = ",",
            description = "Schemes for every weight (default: ${DEFAULT-VALUE}).")
    List<String> specs = List.of("dt3@row", "int4@row");

    @Option(
            names = "--scope",
            split = ",",
            description =
                    "Fine-tune scopes, of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    List<Scope> scopes = List.of(Scope.CLASSIFIER);

    @Option(names = "--train", description = "Training images (default: ${DEFAULT-VALUE}).")
    int trainImages = 3000;

    @Option(
            names = "--test",
            description =
                    "Test images, 100 per class per 1,000; 0 for all 10,000 (default:"
                            + " ${DEFAULT-VALUE}).")
    int testImages = 0;

    @Option(names = "--epochs", description = "Fine-tune epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 2;

    @Option(names = "--batch", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 64;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate = 1e-4f;

    @Option(
            names = "--control",
            description = "Also fine-tune the float model the same way, then quantize.")
    boolean control;

    @Option(names = "--quick", description = "2,000 training images, 1 epoch, 1,000 test images.")
    boolean quick;

    @Option(
            names = "--by-part",
            description =
                    "Also score PTQ of the convolutions only and of the classifier only (no"
                            + " training).")
    boolean byPart;

    @Option(names = "--ptq-only", description = "Only score post-training quantization.")
    boolean ptqOnly;

    @Option(
            names = "--seed",
            description = "Seed of subsets and training (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    private RandomAccessDataset train;
    private RandomAccessDataset validation;
    private RandomAccessDataset test;
    private final long start = System.nanoTime();

    /**
     * Runs the experiment.
     *
     * @param args command-line options, see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(
                new CommandLine(new QatExperiment())
                        .setCaseInsensitiveEnumValuesAllowed(true)
                        .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            trainImages = 2000;
            epochs = 1;
            testImages = 1000;
        }
        Path weights = shared.resolve("models/alexnet_cifar10_fp16.pt");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("No AlexNet weights at " + weights.toAbsolutePath());
        }
        loadData();
        List<Row> rows = new ArrayList<>();
        Evaluation.Accuracy floatAccuracy;
        try (Model model = load(weights)) {
            floatAccuracy = accuracy(model.getBlock(), model.getNDManager(), test, null);
            log("float model on the test images: %s", floatAccuracy);
            for (String spec : specs) {
                Evaluation.Accuracy ptq =
                        accuracy(
                                model.getBlock(), model.getNDManager(), test, QuantConfig.of(spec));
                log("PTQ %s: %s", spec, ptq);
                if (byPart) {
                    QuantConfig featuresOnly =
                            QuantConfig.builder()
                                    .setScheme(spec)
                                    .addExclude(CLASSIFIER_PREFIX)
                                    .build();
                    QuantConfig classifierOnly =
                            QuantConfig.builder()
                                    .setScheme(spec)
                                    .addExclude(FEATURES_PREFIX)
                                    .build();
                    log(
                            "PTQ %s of the convolutions only: %s; of the classifier only: %s",
                            spec,
                            accuracy(model.getBlock(), model.getNDManager(), test, featuresOnly),
                            accuracy(model.getBlock(), model.getNDManager(), test, classifierOnly));
                }
                for (Scope scope : ptqOnly ? List.<Scope>of() : scopes) {
                    rows.add(
                            new Row(
                                    spec,
                                    scope,
                                    ptq,
                                    qat(weights, spec, scope),
                                    floatFineTune(weights, spec, scope)));
                }
            }
        }
        printTable(floatAccuracy, rows);
        return 0;
    }

    private void loadData() throws Exception {
        CifarData data =
                CifarData.fromArchives(shared.resolve("data/cifar10"), cache.toAbsolutePath());
        CifarImages trainSplit = data.images(Dataset.Usage.TRAIN);
        CifarImages testSplit = data.images(Dataset.Usage.TEST);
        log("decoded %d training and %d test images", trainSplit.size(), testSplit.size());
        train =
                CifarDataset.builder(trainSplit.sample(trainImages, seed))
                        .optAugmentation(seed)
                        .setSampling(batchSize, true)
                        .build();
        // The shared model was trained on all 50,000 training images, so held-out training images
        // say nothing about generalization: the listener watches 1,000 test images (monitoring
        // only; nothing is selected on it).
        validation =
                CifarDataset.builder(testSplit.firstPerClass(100))
                        .setSampling(EVAL_BATCH, false)
                        .build();
        CifarImages testSet =
                testImages == 0 ? testSplit : testSplit.firstPerClass(testImages / 10);
        test = CifarDataset.builder(testSet).setSampling(EVAL_BATCH, false).build();
        log(
                "fine-tune on %d training images (augmented), listener on %d test images, scores"
                        + " on %d test images",
                train.size(), validation.size(), test.size());
    }

    /** QAT fine-tune with every weight seen quantized; then quantized for good and scored. */
    private Result qat(Path weights, String spec, Scope scope) throws Exception {
        try (Model model = load(weights)) {
            QatTraining.prepare(model, QuantConfig.of(spec));
            Result result = fineTune(model, spec, scope, "QAT");
            Block trained = QatTraining.floatBlock(model);
            result.floatAfter = accuracy(trained, model.getNDManager(), test, null);
            QatTraining.finish(model, QuantConfig.of(spec));
            result.quantized = accuracy(model.getBlock(), model.getNDManager(), test, null);
            log(
                    "QAT %s %s: quantized %s, its float weights %s",
                    spec, scope, result.quantized, result.floatAfter);
            return result;
        }
    }

    /** The control: the same fine-tune of the float model, quantized afterwards. */
    private Result floatFineTune(Path weights, String spec, Scope scope) throws Exception {
        if (!control) {
            return null;
        }
        try (Model model = load(weights)) {
            Result result = fineTune(model, spec, scope, "float fine-tune");
            result.floatAfter = accuracy(model.getBlock(), model.getNDManager(), test, null);
            result.quantized =
                    accuracy(model.getBlock(), model.getNDManager(), test, QuantConfig.of(spec));
            log(
                    "float fine-tune %s then PTQ %s: quantized %s, float %s",
                    scope, spec, result.quantized, result.floatAfter);
            return result;
        }
    }

    private Result fineTune(Model model, String spec, Scope scope, String what) throws Exception {
        Engine.getInstance().setRandomSeed((int) seed);
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(validation)
                        .addSpec(spec)
                        .optFloatBaseline(true)
                        .optBatchSize(EVAL_BATCH)
                        .build();
        DefaultTrainingConfig config =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(
                                Optimizer.adam()
                                        .optLearningRateTracker(Tracker.fixed(learningRate))
                                        .build())
                        .optDevices(new Device[] {Device.cpu()})
                        .addEvaluator(new Accuracy())
                        .addTrainingListeners(TrainingListener.Defaults.basic())
                        .addTrainingListeners(listener);
        long begin = System.nanoTime();
        double cpuBegin = cpuSeconds();
        TrainingResult training;
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.setMetrics(new Metrics());
            trainer.initialize(CifarArchitectures.INPUT_SHAPE);
            // After newTrainer, which unfreezes models loaded from disk.
            List<String> trainable =
                    scope == Scope.CLASSIFIER
                            ? Freezing.trainOnlyPrefix(
                                    trainer.getModel().getBlock(), CLASSIFIER_PREFIX)
                            : Freezing.trainable(trainer.getModel().getBlock());
            log("%s %s %s: %d trainable parameters", what, spec, scope, trainable.size());
            EasyTrain.fit(trainer, epochs, train, validation);
            training = trainer.getTrainingResult();
        }
        Result result = new Result();
        result.seconds = (System.nanoTime() - begin) / 1e9;
        result.cpuSeconds = cpuSeconds() - cpuBegin;
        result.trainAccuracy = training.getTrainEvaluation("Accuracy");
        for (String label : listener.labels()) {
            result.perEpoch.add(label + " " + listener.getHistory(label));
        }
        log(
                "%s %s %s: %d epochs in %.0f s (%.0f s cpu), train accuracy %.2f%%, listener per epoch %s",
                what,
                spec,
                scope,
                epochs,
                result.seconds,
                result.cpuSeconds,
                100 * result.trainAccuracy,
                result.perEpoch);
        return result;
    }

    private static Model load(Path weights) throws Exception {
        return TorchScriptImport.load(weights, CifarArchitectures.ALEXNET);
    }

    /** Top-1 accuracy of a block, or of its quantized view when {@code config} is given. */
    private static Evaluation.Accuracy accuracy(
            Block block, NDManager manager, RandomAccessDataset data, QuantConfig config)
            throws Exception {
        Block evaluated = config == null ? block : QuantizedBlock.view(block, config);
        try (NDManager scratch = manager.newSubManager()) {
            return Evaluation.accuracy(
                    evaluated, new ParameterStore(scratch, false), data, 100, null);
        }
    }

    private void printTable(Evaluation.Accuracy floatAccuracy, List<Row> rows) {
        if (rows.isEmpty()) {
            log("no fine-tune run; done");
            return;
        }
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nAlexNet-CIFAR, %d test images; float32 model: %s. Fine-tune: %d"
                                + " training images, %d epoch(s), Adam lr %s, batch %d.%n%n",
                        test.size(),
                        pct(floatAccuracy),
                        train.size(),
                        epochs,
                        learningRate,
                        batchSize));
        md.append("| scheme | fine-tuned | PTQ | QAT, then quantized | QAT float weights |");
        if (control) {
            md.append(" float fine-tune, then PTQ | its float weights |");
        }
        md.append(" QAT fine-tune, wall / CPU |\n|---|---|---|---|---|");
        if (control) {
            md.append("---|---|");
        }
        md.append("---|\n");
        for (Row row : rows) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| `%s` | %s | %s | %s | %s |",
                            row.spec,
                            row.scope.name().toLowerCase(Locale.ROOT),
                            pct(row.ptq),
                            pct(row.qat.quantized),
                            pct(row.qat.floatAfter)));
            if (control) {
                md.append(
                        String.format(
                                " %s | %s |",
                                pct(row.control.quantized), pct(row.control.floatAfter)));
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            " %.0f s / %.0f s |%n",
                            row.qat.seconds,
                            row.qat.cpuSeconds));
        }
        System.out.println(md);
        log("done");
    }

    private static String pct(Evaluation.Accuracy a) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * a.fraction());
    }

    /** Prints a line with the wall time and this process's CPU time since the start. */
    private void log(String format, Object... args) {
        System.out.printf(
                Locale.ROOT,
                "[%6.1f s wall, %6.1f s cpu] %s%n",
                (System.nanoTime() - start) / 1e9,
                cpuSeconds(),
                String.format(Locale.ROOT, format, args));
    }

    private static double cpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** One fine-tune: how long, how it went, and the test scores afterwards. */
    private static final class Result {
        double seconds;
        double cpuSeconds;
        float trainAccuracy;
        final List<String> perEpoch = new ArrayList<>();
        Evaluation.Accuracy quantized;
        Evaluation.Accuracy floatAfter;
    }

    private record Row(
            String spec, Scope scope, Evaluation.Accuracy ptq, Result qat, Result control) {}
}
