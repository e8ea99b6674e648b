package dev.djlquant.examples.study;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import dev.djlquant.benchmarks.Machine;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the study for one network: import the pretrained weights, fine-tune the classifier, sweep
 * every scheme (accuracy, checkpoint size, errors, entropy, exponents), write {@code results.md},
 * {@code results.csv}, {@code results.json}, {@code layers.csv} and the PNG charts.
 */
public final class Study {

    private Study() {}

    /**
     * Runs the study and writes its results into {@link StudyConfig#outputDir()}.
     *
     * @param config what to run
     * @param data where the images come from
     * @return what was measured
     * @throws IOException if data, weights or results cannot be read or written
     * @throws MalformedModelException if the pretrained file is not a usable TorchScript model
     * @throws TranslateException if the data pipeline fails
     */
    public static StudyResult run(StudyConfig config, CifarData data)
            throws IOException, MalformedModelException, TranslateException {
        long start = System.nanoTime();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double loadStart = Machine.loadAverage();
        var log = config.log();
        log.printf(
                "Study %s%s: %s, %d schemes + float32, results in %s%n",
                config.model(),
                config.isQuick() ? " (quick)" : "",
                config.fromScratch() ? "from scratch" : "pretrained " + config.pretrained(),
                config.schemes().size(),
                config.outputDir().toAbsolutePath());
        Files.createDirectories(config.outputDir());

        Images images = readImages(config, data);
        double dataSeconds = seconds(start);
        log.printf(
                Locale.ROOT,
                "  %d training and %d test images in %.1f s%n",
                images.train() == null ? 0 : images.train().size(),
                images.test().size(),
                dataSeconds);
        CifarDataset testSet = CifarDataset.builder(images.test()).build();

        Engine.getInstance().setRandomSeed((int) config.seed());
        long phase = System.nanoTime();
        Evaluation.Accuracy imported = null;
        FineTuneSummary fineTune;
        List<SchemeResult> rows;
        double importSeconds;
        double sweepSeconds;
        try (Model model = startingModel(config)) {
            if (!config.fromScratch()) {
                imported = Evaluation.accuracy(model, testSet, config.evalBatchSize());
                log.printf("Imported weights: %s on the test images%n", imported);
            }
            importSeconds = seconds(phase);
            fineTune = fineTune(model, images.train(), config);
            phase = System.nanoTime();
            rows = sweep(config, model, testSet);
            sweepSeconds = seconds(phase);
        }
        StudyResult result =
                new StudyResult(
                        config.model(),
                        config.architecture(),
                        config.isQuick(),
                        config.command(),
                        data.toString(),
                        config.fromScratch() ? null : config.pretrained().toString(),
                        images.test().size(),
                        imported,
                        fineTune,
                        rows,
                        environment(started, loadStart, dataSeconds, importSeconds, sweepSeconds));
        result = result.withTotalSeconds(seconds(start));
        StudyFiles.write(result, config.outputDir(), config.charts());
        if (config.charts()) {
            StudyCharts.write(result, config.outputDir());
        }
        log.printf(
                Locale.ROOT,
                "Done in %.1f min: %s%n",
                seconds(start) / 60,
                config.outputDir().resolve("results.md").toAbsolutePath());
        return result;
    }

    /** The study's images: the test subset, and the training subset unless nothing is trained. */
    private record Images(CifarImages train, CifarImages test) {}

    private static Images readImages(StudyConfig config, CifarData data) throws IOException {
        config.log().printf("Reading CIFAR-10 (%s)...%n", data);
        CifarImages test =
                StudyData.subset(
                        data.images(Dataset.Usage.TEST), config.testImages(), config.seed());
        CifarImages train =
                config.epochs() == 0
                        ? null
                        : StudyData.subset(
                                data.images(Dataset.Usage.TRAIN),
                                config.trainImages(),
                                config.seed());
        return new Images(train, test);
    }

    /** Fine-tunes the model as configured and saves it unless told not to. */
    private static FineTuneSummary fineTune(Model model, CifarImages train, StudyConfig config)
            throws IOException, TranslateException {
        FineTuneSummary fineTune = FineTuning.run(model, train, config);
        if (fineTune.epochs() > 0) {
            config.log()
                    .printf(
                            Locale.ROOT,
                            "Fine-tuned in %.1f s (last epoch: train accuracy %.2f%%, loss %.4f)%n",
                            fineTune.seconds(),
                            100 * fineTune.trainAccuracy(),
                            fineTune.trainLoss());
        }
        if (config.saveModel()) {
            Path dir = config.outputDir().resolve("finetuned");
            // Written aside and renamed: an interrupted save leaves no truncated model.
            AtomicFiles.writeDirectory(
                    dir, earlier -> {}, into -> model.save(into, config.model() + "-finetuned"));
            config.log().printf("Saved the fine-tuned float32 model in %s%n", dir);
        }
        return fineTune;
    }

    /** The float32 baseline's row, then one row per scheme. */
    private static List<SchemeResult> sweep(StudyConfig config, Model model, CifarDataset testSet)
            throws IOException, MalformedModelException, TranslateException {
        config.log()
                .printf(
                        "Sweeping %d schemes on %d test images...%n",
                        config.schemes().size(), testSet.size());
        List<SchemeResult> rows = new ArrayList<>();
        try (SchemeSweep sweep = new SchemeSweep(config, model.getBlock(), testSet)) {
            rows.add(sweep.baseline());
            for (String spec : config.schemes()) {
                rows.add(sweep.run(spec));
            }
        }
        return rows;
    }

    private static StudyResult.Environment environment(
            Instant started,
            double loadStart,
            double dataSeconds,
            double importSeconds,
            double sweepSeconds) {
        return new StudyResult.Environment(
                started.toString(),
                Runtime.getRuntime().availableProcessors(),
                loadStart,
                Machine.loadAverage(),
                Engine.getDjlVersion(),
                Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                System.getProperty("java.version"),
                dataSeconds,
                importSeconds,
                sweepSeconds,
                0);
    }

    /** The imported pretrained model, or a freshly initialized one to train from scratch. */
    private static Model startingModel(StudyConfig config)
            throws IOException, MalformedModelException {
        if (!config.fromScratch()) {
            config.log().printf("Importing %s...%n", config.pretrained());
            return TorchScriptImport.load(config.pretrained(), config.architecture());
        }
        config.log()
                .println(
                        "No pretrained weights: training "
                                + config.model()
                                + " from scratch. This is slow on a CPU and needs many epochs to"
                                + " approach the pretrained accuracy.");
        Block block = CifarArchitectures.byName(config.architecture());
        Model model = Model.newInstance(config.architecture(), TorchScriptImport.ENGINE);
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
        return model;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
