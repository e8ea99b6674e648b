package dev.djlquant;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.function.BiConsumer;

/**
 * Entry point for DJL applications: quantizes the weights of a {@link Model} or {@link Block}
 * according to a {@link QuantConfig} and returns a {@link QuantizationReport}.
 *
 * <p>Every selected weight is quantized before any is changed, so bad input (NaN or infinite
 * values, a data type that cannot be converted) fails with the block as it was. SIMULATE then
 * overwrites the selected weights in place (any block, TorchScript ones included when loaded with
 * {@code trainParam=true}). COMPRESSED and QAT wrap the block in a {@link QuantizedBlock}; for a
 * {@code Model} the wrapper replaces the model's block, for a bare block use {@link
 * QuantizationReport#block()}.
 */
public final class Quantizers {

    private Quantizers() {}

    /** Quantizes a model's block; COMPRESSED and QAT replace it with a {@link QuantizedBlock}. */
    public static QuantizationReport apply(Model model, QuantConfig config) {
        if (model.getBlock() == null) {
            throw new IllegalArgumentException(
                    "Model " + model.getName() + " has no block: load it first");
        }
        QuantizationReport report = apply(model.getBlock(), config);
        if (report.block() != model.getBlock()) {
            model.setBlock(report.block());
        }
        return report;
    }

    /**
     * Quantizes a block's weights; the block to run afterwards is {@link
     * QuantizationReport#block()}.
     */
    public static QuantizationReport apply(Block block, QuantConfig config) {
        if (config.mode() == QuantConfig.Mode.SIMULATE) {
            return ParameterQuantization.run(
                    block, config, block, ParameterQuantization.simulate(block));
        }
        return new QuantizedBlock(block).quantize(config);
    }

    /**
     * Writes the restored values of {@code tensor} into {@code parameter} in place, in the
     * parameter's data type, as a SIMULATE apply does; a later apply refuses the parameter, whose
     * values are quantized already. For loading packed tensors (a checkpoint's, say) into a float
     * model.
     *
     * @throws IllegalArgumentException if the parameter's shape is not the tensor's
     * @throws IllegalStateException if the parameter has no values or the engine refuses the update
     */
    public static void restoreInto(Parameter parameter, QuantizedTensor tensor) {
        ParameterQuantization.restoreInto(parameter, tensor);
    }

    /**
     * Quantizes the parameters {@code config} selects without changing the block, handing each
     * packed tensor to {@code sink} by parameter name (for writing checkpoints, say). The report's
     * mode is the config's; its block is {@code block}, untouched.
     */
    public static QuantizationReport pack(
            Block block, QuantConfig config, BiConsumer<String, QuantizedTensor> sink) {
        return ParameterQuantization.run(
                block,
                config,
                block,
                (name, parameter, tensor, restored) -> sink.accept(name, tensor));
    }
}
