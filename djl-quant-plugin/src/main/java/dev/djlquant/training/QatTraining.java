package dev.djlquant.training;

import ai.djl.Model;
import ai.djl.nn.Block;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.Quantizers;
import java.util.Objects;

/**
 * Quantization-aware training of a {@link Model}, start and end: {@link #prepare} replaces the
 * model's block with a {@link QuantizedBlock} in QAT mode (the forward sees quantized weights, the
 * gradient reaches the float weights unchanged), and {@link #finish} puts the trained float block
 * back and quantizes it for good. With the same selection and schemes, the finished model's forward
 * equals the QAT forward exactly. DJL-native layers only.
 */
public final class QatTraining {

    private QatTraining() {}

    /**
     * Wraps the model's block for quantization-aware training; create the trainer afterwards (or
     * before: the trainer reads {@code model.getBlock()} on every forward).
     *
     * <p>A QAT model saves its float weights, not its config: it loads back into a {@link
     * QuantizedBlock} around the architecture that forwards them unquantized until prepared again
     * with the same config, which resumes training.
     *
     * @param model a model whose block is initialized (weights loaded or initialized), or holds
     *     such a QAT checkpoint
     * @param config selection and schemes; its mode is replaced by {@link QuantConfig.Mode#QAT}
     * @return the report of the first quantization; {@code report.block()} is the wrapper
     * @throws IllegalStateException if the block is already in QAT or holds quantized weights
     * @throws IllegalArgumentException if the block is not initialized (weights are selected by
     *     their shapes) or the config selects no parameter
     * @throws UnsupportedOperationException if the block reads its weights inside the engine
     *     (TorchScript)
     */
    public static QuantizationReport prepare(Model model, QuantConfig config) {
        Objects.requireNonNull(config, "config");
        requireBlock(model);
        // A loaded QAT checkpoint's wrapper is quantized itself; it refuses if it is in QAT or
        // compressed already.
        return Quantizers.apply(model, config.toBuilder().optMode(QuantConfig.Mode.QAT).build());
    }

    /**
     * Returns the float block that a QAT model trains (the model's block itself if it is not
     * wrapped).
     *
     * @param model the model
     * @return the float block
     */
    public static Block floatBlock(Model model) {
        return floatBlock(requireBlock(model));
    }

    /** The block a {@link QuantizedBlock} wraps, or {@code block} itself. */
    static Block floatBlock(Block block) {
        return block instanceof QuantizedBlock ? ((QuantizedBlock) block).getInner() : block;
    }

    /**
     * Ends quantization-aware training: the model's block becomes the trained float block again,
     * then it is quantized with {@code config} as {@link Quantizers#apply(Model, QuantConfig)}
     * does.
     *
     * <p>COMPRESSED releases the float weights: close the trainer first, since DJL's {@code
     * Trainer.close} reads them (finish refuses while the trainer that ran the QAT forwards is
     * open).
     *
     * @param model a model prepared with {@link #prepare}
     * @param config the same selection and schemes as in training, in SIMULATE (weights written in
     *     place) or COMPRESSED mode
     * @return the quantization report
     * @throws IllegalArgumentException if the config is in QAT mode
     * @throws IllegalStateException if the model's block is not a QAT {@link QuantizedBlock}, or
     *     (COMPRESSED) the trainer that trained it is still open; the model stays in training
     */
    public static QuantizationReport finish(Model model, QuantConfig config) {
        if (config.mode() == QuantConfig.Mode.QAT) {
            throw new IllegalArgumentException(
                    "finish quantizes for inference: use SIMULATE or COMPRESSED, not QAT");
        }
        Block block = requireBlock(model);
        if (!(block instanceof QuantizedBlock)
                || !((QuantizedBlock) block).getCompressed().isEmpty()) {
            throw new IllegalStateException(
                    "Model "
                            + model.getName()
                            + " is not in quantization-aware training (its block is "
                            + block.getClass().getSimpleName()
                            + "); call QatTraining.prepare first, or Quantizers.apply directly");
        }
        model.setBlock(((QuantizedBlock) block).getInner());
        try {
            return Quantizers.apply(model, config);
        } catch (RuntimeException e) {
            // apply leaves the weights as they were: keep the model in training, to try again.
            model.setBlock(block);
            throw e;
        }
    }

    private static Block requireBlock(Model model) {
        Block block = model.getBlock();
        if (block == null) {
            throw new IllegalStateException("Model " + model.getName() + " has no block");
        }
        return block;
    }
}
