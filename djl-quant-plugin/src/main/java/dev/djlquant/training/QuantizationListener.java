package dev.djlquant.training;

import ai.djl.Device;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.translate.TranslateException;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.data.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ai.djl.training.listener.TrainingListener} that, after every epoch, measures the top-1
 * accuracy the model would have once quantized with each of its configs, on its own validation
 * dataset, through {@link QuantizedBlock#view}: the weights being trained are read, never written.
 *
 * <p>Results are kept per epoch and label (readable with {@link #getHistory(String)} and {@link
 * #getLatest()}), added to the trainer's {@link Metrics} under {@link #metricName(String)} as a
 * fraction in [0, 1] when the trainer has metrics, and logged one line per label. When the model's
 * block is a {@link QuantizedBlock} in QAT mode, the float weights it wraps are evaluated, which is
 * what {@link QatTraining#finish} quantizes after training. DJL-native layers only; register it
 * after {@code TrainingListener.Defaults}, on a single-device trainer (the listener reads the
 * parameters' own arrays, which DJL updates in place on one device). One listener keeps one
 * history: used again by another trainer or for another model, it goes on counting epochs (it
 * checks the new model's selection anew).
 */
public final class QuantizationListener extends TrainingListenerAdapter {

    /** Label of the unquantized baseline, when {@link Builder#optFloatBaseline} asks for it. */
    public static final String FLOAT = "float";

    private static final Logger logger = LoggerFactory.getLogger(QuantizationListener.class);

    private final Map<String, QuantConfig> configs;
    private final boolean floatBaseline;
    private final RandomAccessDataset validation;
    private final int batchSize;
    private final Map<String, List<Evaluation.Accuracy>> history = new LinkedHashMap<>();
    private int epochs;

    /** The float block whose parameters the configs were last checked to select. */
    private volatile Block selectionChecked;

    private QuantizationListener(Builder builder) {
        this.configs = Collections.unmodifiableMap(new LinkedHashMap<>(builder.configs));
        this.floatBaseline = builder.floatBaseline;
        this.validation = builder.validation;
        this.batchSize = builder.batchSize;
        for (String label : labels()) {
            history.put(label, new ArrayList<>());
        }
    }

    /**
     * Returns a builder; a validation dataset and at least one config are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the name under which the accuracy for a label is added to the trainer's metrics.
     *
     * @param label a spec string such as {@code dt3@row}, a label given to the builder, or {@link
     *     #FLOAT}
     * @return {@code "quantized_Accuracy_" + label}
     */
    public static String metricName(String label) {
        return "quantized_Accuracy_" + label;
    }

    /**
     * Checks, at the first training batch of each model, that every config selects some parameter
     * of it and can quantize it as the epoch's evaluation will: a config that cannot would
     * otherwise fail only when the first epoch ends. (Not when training begins: DJL calls that from
     * the trainer's constructor, before {@code trainer.initialize} gives the weights their shapes,
     * by which they are selected.)
     *
     * @param trainer the trainer
     * @param batchData the batch
     * @throws IllegalArgumentException naming the label of a config that selects nothing, or if a
     *     selected weight cannot be quantized
     * @throws UnsupportedOperationException if the model has TorchScript layers
     */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        Block block = floatBlock(trainer.getModel().getBlock());
        if (block == selectionChecked) {
            return;
        }
        for (Map.Entry<String, QuantConfig> e : configs.entrySet()) {
            boolean selects =
                    block.getParameters().stream()
                            .anyMatch(
                                    p ->
                                            e.getValue()
                                                    .schemeFor(p.getKey(), p.getValue())
                                                    .isPresent());
            if (!selects) {
                throw new IllegalArgumentException(
                        "QuantizationListener: "
                                + e.getKey()
                                + " selects no parameter of the model ("
                                + e.getValue()
                                + ")");
            }
            // What else would fail the epoch's evaluation (TorchScript layers, a weight that cannot
            // be quantized) fails here, before the epoch is trained for nothing.
            QuantizedBlock.view(block, e.getValue());
        }
        selectionChecked = block;
    }

    /**
     * Evaluates {@code trainer}'s model with every config, records the results as the next epoch,
     * adds them to the trainer's metrics and logs them.
     *
     * @param trainer the trainer whose epoch just ended
     */
    @Override
    public void onEpoch(Trainer trainer) {
        if (trainer.getDevices().length > 1) {
            logger.warn(
                    "QuantizationListener reads the parameters' own arrays; with {} devices they"
                            + " may lag the trained copies",
                    trainer.getDevices().length);
        }
        Map<String, Evaluation.Accuracy> results =
                evaluate(trainer.getModel().getBlock(), trainer.getManager());
        int epoch;
        synchronized (this) {
            epoch = ++epochs;
            results.forEach((label, accuracy) -> history.get(label).add(accuracy));
        }
        Metrics metrics = trainer.getMetrics();
        for (Map.Entry<String, Evaluation.Accuracy> e : results.entrySet()) {
            if (metrics != null) {
                metrics.addMetric(metricName(e.getKey()), e.getValue().fraction());
            }
            logger.info("Epoch {} validation accuracy as {}: {}", epoch, e.getKey(), e.getValue());
        }
    }

    /**
     * Evaluates a block as it would be after quantizing with every config (and unquantized, if
     * asked), without changing its weights and without recording anything.
     *
     * @param block an initialized DJL-native block, or a {@link QuantizedBlock} in QAT mode
     * @param manager the manager under which a scratch sub-manager holds batches and substitutes
     * @return the accuracy per label, in the builder's order
     * @throws IllegalStateException if the block holds compressed weights (nothing left to
     *     quantize)
     * @throws UncheckedIOException if the validation data cannot be read
     */
    public Map<String, Evaluation.Accuracy> evaluate(Block block, NDManager manager) {
        Block floatBlock = floatBlock(block);
        Map<String, Evaluation.Accuracy> results = new LinkedHashMap<>();
        if (floatBaseline) {
            results.put(FLOAT, accuracy(floatBlock, manager));
        }
        for (Map.Entry<String, QuantConfig> e : configs.entrySet()) {
            results.put(
                    e.getKey(), accuracy(QuantizedBlock.view(floatBlock, e.getValue()), manager));
        }
        return results;
    }

    private static Block floatBlock(Block block) {
        if (block instanceof QuantizedBlock quantized && !quantized.getCompressed().isEmpty()) {
            throw new IllegalStateException(
                    "The model's block holds compressed weights ("
                            + quantized.getCompressed().size()
                            + "); QuantizationListener needs the float weights: train the float"
                            + " model or a QAT model and compress afterwards");
        }
        return QatTraining.floatBlock(block);
    }

    private Evaluation.Accuracy accuracy(Block block, NDManager manager) {
        Device device = manager.getDevice();
        try (NDManager scratch = manager.newSubManager(device)) {
            return Evaluation.accuracy(
                    block, new ParameterStore(scratch, false), validation, batchSize, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the validation data", e);
        } catch (TranslateException e) {
            throw new IllegalStateException("The validation data pipeline failed", e);
        }
    }

    /**
     * Returns the labels evaluated, in order: {@link #FLOAT} first if asked, then one per config.
     *
     * @return the labels
     */
    public List<String> labels() {
        List<String> labels = new ArrayList<>();
        if (floatBaseline) {
            labels.add(FLOAT);
        }
        labels.addAll(configs.keySet());
        return labels;
    }

    /**
     * Returns the number of epochs evaluated so far.
     *
     * @return the epoch count
     */
    public synchronized int getEpochs() {
        return epochs;
    }

    /**
     * Returns the accuracy after every epoch so far for one label.
     *
     * @param label one of {@link #labels()}
     * @return one entry per epoch, oldest first
     * @throws IllegalArgumentException if the label is unknown
     */
    public synchronized List<Evaluation.Accuracy> getHistory(String label) {
        List<Evaluation.Accuracy> list = history.get(label);
        if (list == null) {
            throw new IllegalArgumentException(
                    "No results for '" + label + "'; this listener evaluates " + labels());
        }
        return List.copyOf(list);
    }

    /**
     * Returns the accuracy of the last evaluated epoch per label.
     *
     * @return the latest accuracy per label; empty before the first epoch ends
     */
    public synchronized Map<String, Evaluation.Accuracy> getLatest() {
        Map<String, Evaluation.Accuracy> latest = new LinkedHashMap<>();
        history.forEach(
                (label, list) -> {
                    if (!list.isEmpty()) {
                        latest.put(label, list.get(list.size() - 1));
                    }
                });
        return latest;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "QuantizationListener%s on %d records, %d epochs evaluated",
                labels(),
                validation.size(),
                getEpochs());
    }

    /** Builds a {@link QuantizationListener}. */
    public static final class Builder {
        private final Map<String, QuantConfig> configs = new LinkedHashMap<>();
        private RandomAccessDataset validation;
        private int batchSize = 100;
        private boolean floatBaseline;

        private Builder() {}

        /**
         * Sets the labelled data to evaluate on (its own sampling is ignored: every record once, in
         * order). Keep it small: every epoch runs one pass per config.
         *
         * @param dataset the validation data
         * @return this builder
         */
        public Builder setValidationDataset(RandomAccessDataset dataset) {
            this.validation = Objects.requireNonNull(dataset, "dataset");
            return this;
        }

        /**
         * Evaluates with {@code QuantConfig.of(spec)}, labelled by the spec's canonical string.
         *
         * @param spec a spec such as {@code int4@row}
         * @return this builder
         */
        public Builder addSpec(String spec) {
            QuantConfig config = QuantConfig.of(spec);
            return addConfig(config.scheme().spec(), config);
        }

        /**
         * Evaluates with a config (its selection, overrides and scheme; the mode is ignored, the
         * weights are never written).
         *
         * @param label the name of the results, unique within this listener
         * @param config the config
         * @return this builder
         * @throws IllegalArgumentException if the label is taken or blank
         */
        public Builder addConfig(String label, QuantConfig config) {
            Objects.requireNonNull(config, "config");
            if (label == null || label.isBlank() || FLOAT.equals(label)) {
                throw new IllegalArgumentException(
                        "A config needs a non-blank label other than '" + FLOAT + "': " + label);
            }
            if (configs.putIfAbsent(label, config) != null) {
                throw new IllegalArgumentException("Label '" + label + "' is already used");
            }
            return this;
        }

        /**
         * Also evaluates the unquantized weights, labelled {@link #FLOAT}; for a QAT model these
         * are the float weights it trains, which its own validation does not show.
         *
         * @param floatBaseline whether to evaluate the float weights
         * @return this builder
         */
        public Builder optFloatBaseline(boolean floatBaseline) {
            this.floatBaseline = floatBaseline;
            return this;
        }

        /**
         * Sets the records per forward pass; 100 by default.
         *
         * @param batchSize a positive batch size
         * @return this builder
         */
        public Builder optBatchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("Batch size must be positive: " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Builds the listener.
         *
         * @return the listener
         * @throws IllegalStateException without a validation dataset or without any config
         */
        public QuantizationListener build() {
            if (validation == null) {
                throw new IllegalStateException(
                        "QuantizationListener needs a validation dataset: setValidationDataset");
            }
            if (configs.isEmpty()) {
                throw new IllegalStateException(
                        "QuantizationListener needs at least one spec or config to evaluate");
            }
            return new QuantizationListener(this);
        }
    }
}
