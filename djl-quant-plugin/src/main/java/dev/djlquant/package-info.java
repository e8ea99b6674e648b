/**
 * The public face of djl-quant: {@link dev.djlquant.Quantizer} schemes parsed from spec strings,
 * {@link dev.djlquant.QuantizedTensor} packed storage, and the DJL integration that applies them to
 * models and blocks.
 *
 * <p>Two layers share this package because the design fixes these public names in it. The quantizer
 * layer uses no DJL type: {@code Quantizer}, {@code Granularity}, {@code QuantizedTensor} and the
 * kernels behind them ({@code GroupKernel} with its {@code GroupScales} and {@code GroupTasks},
 * {@code LinearKernel}, {@code MagnitudeSort}, {@code DoubleQuantizedScales}), built on {@link
 * dev.djlquant.format}, {@link dev.djlquant.pack} and {@link dev.djlquant.metrics}. The DJL layer
 * above it: {@link dev.djlquant.Quantizers} and {@link dev.djlquant.QuantConfig} (what to quantize,
 * how), {@link dev.djlquant.QuantizedBlock} (compressed weights inside a block; its saved form in
 * {@code CompactParameters}, checked whole by {@code CheckedBody}; {@code BlockSnapshot} puts the
 * wrapped block back after a failed load), {@link dev.djlquant.QuantizationReport}, the study's
 * functions on NDArrays ({@link dev.djlquant.Quantization}), {@link dev.djlquant.SharedParameters}
 * (one name for a layer used twice, which the checkpoints share), and the package-private classes
 * that read and write the engine's parameter memory.
 */
package dev.djlquant;
