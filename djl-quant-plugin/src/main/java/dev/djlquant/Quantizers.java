package dev.djlquant;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Objects;
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
 * QuantizationReport#block()}. Measuring the report's errors and code usage takes a fifth to a half
 * of the time; {@link QuantConfig.Builder#optStatistics} turns it off.
 */
public final class Quantizers {

    private Quantizers() {}

    /**
     * Quantizes a model's block; COMPRESSED and QAT replace it with a {@link QuantizedBlock}.
     *
     * @param model a model with a block (loaded or initialized)
     * @param config what to quantize and how
     * @return the report; its block is the model's block afterwards
     * @throws IllegalArgumentException if the model has no block, the config selects no parameter,
     *     or a selected weight cannot be quantized (NaN or infinite values, say); the block is then
     *     as it was
     * @throws IllegalStateException if a selected weight already holds quantized values, or the
     *     block holds a quantized {@link QuantizedBlock} or weights a COMPRESSED apply released
     * @throws UnsupportedOperationException if COMPRESSED or QAT meets TorchScript layers
     */
    public static QuantizationReport apply(Model model, QuantConfig config) {
        Objects.requireNonNull(model, "model");
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
     *
     * @param block the block; initialized, or at least with known weight shapes
     * @param config what to quantize and how
     * @return the report; its block is {@code block} for SIMULATE, else a new {@link
     *     QuantizedBlock} wrapping it (a {@link QuantizedBlock} given is quantized itself)
     * @throws IllegalArgumentException if the config selects no parameter, a selected weight cannot
     *     be quantized (NaN or infinite values, say), or (COMPRESSED) the block is not initialized;
     *     the block is then as it was
     * @throws IllegalStateException if a selected weight already holds quantized values, or the
     *     block holds a quantized {@link QuantizedBlock} or weights a COMPRESSED apply released
     * @throws UnsupportedOperationException if COMPRESSED or QAT meets TorchScript layers
     */
    public static QuantizationReport apply(Block block, QuantConfig config) {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(config, "config");
        if (block instanceof QuantizedBlock q) {
            return q.quantize(config);
        }
        if (config.mode() == QuantConfig.Mode.SIMULATE) {
            return ParameterQuantization.run(
                    block,
                    config,
                    block,
                    ParameterQuantization.simulate(block, config.statistics()));
        }
        return new QuantizedBlock(block).quantize(config);
    }

    /**
     * Writes the restored values of {@code tensor} into {@code parameter} in place, in the
     * parameter's data type, as a SIMULATE apply does; a later apply refuses the parameter, whose
     * values are quantized already. For loading packed tensors (a checkpoint's, say) into a float
     * model.
     *
     * @param parameter the parameter to overwrite; it must hold values
     * @param tensor the packed values, of the parameter's shape
     * @throws IllegalArgumentException if the parameter's shape is not the tensor's
     * @throws IllegalStateException if the parameter has no values (or a COMPRESSED apply released
     *     them) or the engine refuses the update
     */
    public static void restoreInto(Parameter parameter, QuantizedTensor tensor) {
        ParameterQuantization.restoreInto(parameter, tensor);
    }

    /**
     * Quantizes the parameters {@code config} selects without changing the block, handing each
     * packed tensor to {@code sink} by parameter name (for writing checkpoints, say). The report's
     * mode is the config's; its block is {@code block}, untouched.
     *
     * @param block the block; not changed
     * @param config what to quantize (its mode is only reported)
     * @param sink receives each parameter's name and packed tensor, once every selected weight is
     *     quantized
     * @return the report
     * @throws IllegalArgumentException if the config selects no parameter, or a selected weight
     *     cannot be quantized; {@code sink} then receives nothing
     * @throws IllegalStateException if a selected weight already holds quantized values, or the
     *     block holds a quantized {@link QuantizedBlock} or weights a COMPRESSED apply released
     */
    public static QuantizationReport pack(
            Block block, QuantConfig config, BiConsumer<String, QuantizedTensor> sink) {
        Objects.requireNonNull(sink, "sink");
        return ParameterQuantization.run(
                block,
                config,
                block,
                (name, parameter, tensor, restored) -> sink.accept(name, tensor));
    }
}
