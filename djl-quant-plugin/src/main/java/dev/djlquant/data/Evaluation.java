package dev.djlquant.data;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.translate.TranslateException;
import ai.djl.util.Progress;
import java.io.IOException;
import java.util.Locale;

/**
 * Top-1 accuracy of a classifier over a labelled dataset, in inference mode (no dropout).
 *
 * <p>The block gets each batch's data as its input and must return logits of shape (batch, classes)
 * first; a record counts as correct when the arg-max equals its label.
 */
public final class Evaluation {

    /**
     * Number of correctly classified records out of all evaluated ones.
     *
     * @param correct records whose arg-max equals the label
     * @param total records evaluated
     */
    public record Accuracy(long correct, long total) {

        /**
         * Returns {@code correct / total}, or NaN for an empty evaluation.
         *
         * @return the accuracy in [0, 1]
         */
        public double fraction() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f%% (%d/%d)", 100 * fraction(), correct, total);
        }
    }

    private Evaluation() {}

    /**
     * Evaluates a model's block with the model's manager.
     *
     * @param model the model
     * @param data the labelled data; its own sampling is ignored
     * @param batchSize records per forward pass
     * @return the accuracy
     * @throws IOException if the data cannot be read
     * @throws TranslateException if the data pipeline fails
     */
    public static Accuracy accuracy(Model model, RandomAccessDataset data, int batchSize)
            throws IOException, TranslateException {
        return accuracy(model.getBlock(), model.getNDManager(), data, batchSize);
    }

    /**
     * Evaluates a block; batches are created under a sub-manager of {@code manager} and closed.
     *
     * @param block an initialized block
     * @param manager the manager whose engine and device the batches use
     * @param data the labelled data; its own sampling is ignored
     * @param batchSize records per forward pass
     * @return the accuracy
     * @throws IOException if the data cannot be read
     * @throws TranslateException if the data pipeline fails
     */
    public static Accuracy accuracy(
            Block block, NDManager manager, RandomAccessDataset data, int batchSize)
            throws IOException, TranslateException {
        return accuracy(block, new ParameterStore(manager, false), data, batchSize, null);
    }

    /**
     * Evaluates a block with an explicit parameter store (for instance one that substitutes
     * weights) and reports progress per batch.
     *
     * @param block an initialized block
     * @param store the parameter store passed to {@code forward}; its manager owns the batches
     * @param data the labelled data; its own sampling is ignored
     * @param batchSize records per forward pass
     * @param progress told the record count, then every batch; may be null
     * @return the accuracy
     * @throws IOException if the data cannot be read
     * @throws TranslateException if the data pipeline fails
     */
    public static Accuracy accuracy(
            Block block,
            ParameterStore store,
            RandomAccessDataset data,
            int batchSize,
            Progress progress)
            throws IOException, TranslateException {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Batch size must be positive: " + batchSize);
        }
        if (progress != null) {
            progress.reset("Evaluating", data.size());
        }
        long correct = 0;
        long total = 0;
        BatchSampler sequential = new BatchSampler(new SequenceSampler(), batchSize);
        for (Batch batch : data.getData(store.getManager(), sequential)) {
            try (batch) {
                NDList logits = block.forward(store, batch.getData(), false);
                correct += countCorrect(logits.head(), batch.getLabels().head());
                total += batch.getSize();
            }
            if (progress != null) {
                progress.increment(batch.getSize());
            }
        }
        if (progress != null) {
            progress.end();
        }
        return new Accuracy(correct, total);
    }

    private static long countCorrect(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != labels.size()) {
            throw new IllegalStateException(
                    "Expected logits of shape ("
                            + labels.size()
                            + ", classes), got "
                            + logits.getShape());
        }
        NDArray predicted = logits.argMax(1);
        NDArray matches = predicted.eq(labels.toType(DataType.INT64, false));
        return matches.toType(DataType.INT64, false).sum().getLong();
    }
}
