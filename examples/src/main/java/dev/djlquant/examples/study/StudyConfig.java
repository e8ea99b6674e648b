package dev.djlquant.examples.study;

import dev.djlquant.zoo.CifarArchitectures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything one study run needs to know: which network, where it starts, how it is fine-tuned, on
 * how many images it is trained and tested, which schemes are swept and where the results go.
 * Immutable; {@link #quick(String)} and {@link #full(String)} give the two documented presets.
 */
public final class StudyConfig {

    /** The short model names the study knows, in the order {@code all} runs them. */
    public static final List<String> MODELS = List.of("alexnet", "vgg16");

    private final String model;
    private final Path pretrained;
    private final int trainImages;
    private final int testImages;
    private final int epochs;
    private final int batchSize;
    private final int evalBatchSize;
    private final float learningRate;
    private final long seed;
    private final List<String> schemes;
    private final Path outputDir;
    private final boolean quick;
    private final boolean saveModel;
    private final boolean keepCheckpoints;
    private final boolean charts;
    private final boolean progress;
    private final String command;
    private final PrintStream log;

    private StudyConfig(Builder b) {
        this.model = architectureName(b.model) == null ? null : b.model;
        if (this.model == null) {
            throw new IllegalArgumentException(
                    "Unknown model '" + b.model + "'; expected one of " + MODELS);
        }
        this.pretrained = b.pretrained;
        this.trainImages = nonNegative(b.trainImages, "train images");
        this.testImages = nonNegative(b.testImages, "test images");
        this.epochs = nonNegative(b.epochs, "epochs");
        this.batchSize = positive(b.batchSize, "batch size");
        this.evalBatchSize = positive(b.evalBatchSize, "evaluation batch size");
        if (!(b.learningRate > 0) || Float.isInfinite(b.learningRate)) {
            throw new IllegalArgumentException("Learning rate must be positive: " + b.learningRate);
        }
        this.learningRate = b.learningRate;
        this.seed = b.seed;
        this.schemes = b.schemes.stream().map(StudySchemes::check).distinct().toList();
        this.outputDir = Objects.requireNonNull(b.outputDir, "output directory");
        this.quick = b.quick;
        this.saveModel = b.saveModel;
        this.keepCheckpoints = b.keepCheckpoints;
        this.charts = b.charts;
        this.progress = b.progress;
        this.command = b.command;
        this.log = Objects.requireNonNull(b.log, "log");
    }

    /**
     * The {@code --quick} preset: the shared pretrained weights, one epoch over 2,000 training
     * images (200 per class), 1,000 test images (100 per class), every default scheme.
     *
     * @param model {@code alexnet} or {@code vgg16}
     * @return a builder holding the preset
     */
    public static Builder quick(String model) {
        return new Builder(model)
                .optQuick(true)
                .optTrainImages(2000)
                .optTestImages(1000)
                .optEpochs(1)
                .optOutputDir(Path.of("results", model + "-quick"));
    }

    /**
     * The full preset: the shared pretrained weights, 2 epochs over all 50,000 training images, all
     * 10,000 test images, every default scheme.
     *
     * @param model {@code alexnet} or {@code vgg16}
     * @return a builder holding the preset
     */
    public static Builder full(String model) {
        return new Builder(model)
                .optTrainImages(0)
                .optTestImages(0)
                .optEpochs(2)
                .optOutputDir(Path.of("results", model));
    }

    /**
     * Returns the DJL-native architecture name of a short model name.
     *
     * @param model {@code alexnet} or {@code vgg16}
     * @return {@link CifarArchitectures#ALEXNET} or {@link CifarArchitectures#VGG16}, or null
     */
    public static String architectureName(String model) {
        if (model == null) {
            return null;
        }
        switch (model.toLowerCase(Locale.ROOT)) {
            case "alexnet":
                return CifarArchitectures.ALEXNET;
            case "vgg16":
                return CifarArchitectures.VGG16;
            default:
                return null;
        }
    }

    /**
     * Returns the shared TorchScript file of a model, {@code models/<model>_cifar10_fp16.pt} under
     * {@code sharedDir}.
     *
     * @param sharedDir the shared directory
     * @param model {@code alexnet} or {@code vgg16}
     * @return the path, which may not exist
     */
    public static Path sharedPretrained(Path sharedDir, String model) {
        return sharedDir.resolve("models").resolve(model + "_cifar10_fp16.pt");
    }

    /** Returns the short model name, {@code alexnet} or {@code vgg16}. */
    public String model() {
        return model;
    }

    /** Returns the DJL-native architecture name. */
    public String architecture() {
        return architectureName(model);
    }

    /** Returns the TorchScript file to start from, or null to train from scratch. */
    public Path pretrained() {
        return pretrained;
    }

    /** Returns whether the network is trained from random weights (no pretrained file). */
    public boolean fromScratch() {
        return pretrained == null;
    }

    /** Returns the number of training images (0: all). */
    public int trainImages() {
        return trainImages;
    }

    /** Returns the number of test images (0: all). */
    public int testImages() {
        return testImages;
    }

    /** Returns the fine-tuning epochs (0: no training, evaluate the imported weights). */
    public int epochs() {
        return epochs;
    }

    /** Returns the training batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Returns the evaluation batch size. */
    public int evalBatchSize() {
        return evalBatchSize;
    }

    /** Returns Adam's learning rate. */
    public float learningRate() {
        return learningRate;
    }

    /** Returns the seed of initialization, shuffling, augmentation and dropout. */
    public long seed() {
        return seed;
    }

    /** Returns the schemes to sweep, in order; the float32 baseline always comes first. */
    public List<String> schemes() {
        return schemes;
    }

    /** Returns the directory that receives the results of this model. */
    public Path outputDir() {
        return outputDir;
    }

    /** Returns whether this is the {@code --quick} preset (for labels only). */
    public boolean isQuick() {
        return quick;
    }

    /** Returns whether the fine-tuned float32 model is saved under the output directory. */
    public boolean saveModel() {
        return saveModel;
    }

    /** Returns whether every quantized checkpoint is kept under the output directory. */
    public boolean keepCheckpoints() {
        return keepCheckpoints;
    }

    /** Returns whether PNG charts are drawn. */
    public boolean charts() {
        return charts;
    }

    /** Returns whether DJL's training progress bar and epoch log are shown. */
    public boolean progress() {
        return progress;
    }

    /** Returns the command line that started the run, for the report (may be null). */
    public String command() {
        return command;
    }

    /** Returns where progress lines go. */
    public PrintStream log() {
        return log;
    }

    private static int nonNegative(int v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + v);
        }
        return v;
    }

    private static int positive(int v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + v);
        }
        return v;
    }

    /** Builds a {@link StudyConfig}; start from {@link #quick(String)} or {@link #full(String)}. */
    public static final class Builder {
        private final String model;
        private Path pretrained;
        private int trainImages;
        private int testImages;
        private int epochs = 1;
        private int batchSize = 64;
        private int evalBatchSize = 100;
        private float learningRate = 1e-3f;
        private long seed = 42;
        private List<String> schemes = StudySchemes.defaults();
        private Path outputDir;
        private boolean quick;
        private boolean saveModel = true;
        private boolean keepCheckpoints;
        private boolean charts = true;
        private boolean progress = true;
        private String command;
        private PrintStream log = System.out;

        private Builder(String model) {
            this.model = model == null ? null : model.toLowerCase(Locale.ROOT);
        }

        /** Starts from {@code file} (TorchScript); null trains from scratch. */
        public Builder optPretrained(Path file) {
            this.pretrained = file;
            return this;
        }

        /** Uses the first {@code n/10} training images of every class (0: all). */
        public Builder optTrainImages(int n) {
            this.trainImages = n;
            return this;
        }

        /** Uses the first {@code n/10} test images of every class (0: all). */
        public Builder optTestImages(int n) {
            this.testImages = n;
            return this;
        }

        /** Sets the number of fine-tuning epochs. */
        public Builder optEpochs(int n) {
            this.epochs = n;
            return this;
        }

        /** Sets the training batch size (64 by default). */
        public Builder optBatchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Sets the evaluation batch size (100 by default). */
        public Builder optEvalBatchSize(int n) {
            this.evalBatchSize = n;
            return this;
        }

        /** Sets Adam's learning rate (1e-3 by default). */
        public Builder optLearningRate(float lr) {
            this.learningRate = lr;
            return this;
        }

        /** Sets the seed (42 by default). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sets the schemes to sweep (default: {@link StudySchemes#defaults()}). */
        public Builder optSchemes(List<String> specs) {
            this.schemes = List.copyOf(specs);
            return this;
        }

        /** Sets the directory that receives this model's results. */
        public Builder optOutputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /** Marks the run as the quick preset. */
        public Builder optQuick(boolean quick) {
            this.quick = quick;
            return this;
        }

        /** Saves the fine-tuned float32 model under the output directory (default true). */
        public Builder optSaveModel(boolean save) {
            this.saveModel = save;
            return this;
        }

        /** Keeps every quantized checkpoint under the output directory (default false). */
        public Builder optKeepCheckpoints(boolean keep) {
            this.keepCheckpoints = keep;
            return this;
        }

        /** Draws PNG charts (default true). */
        public Builder optCharts(boolean charts) {
            this.charts = charts;
            return this;
        }

        /** Shows DJL's training progress bar (default true). */
        public Builder optProgress(boolean progress) {
            this.progress = progress;
            return this;
        }

        /** Records the command line that started the run. */
        public Builder optCommand(String command) {
            this.command = command;
            return this;
        }

        /** Sets where progress lines go (System.out by default). */
        public Builder optLog(PrintStream log) {
            this.log = log;
            return this;
        }

        /** Returns the config; throws naming the first invalid setting. */
        public StudyConfig build() {
            return new StudyConfig(this);
        }
    }
}
