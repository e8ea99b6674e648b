/**
 * JMH benchmarks for djl-quant's quantize and dequantize kernels, the baselines they are measured
 * against (a plain {@code System.arraycopy} and the same arithmetic composed from DJL NDArray
 * operations on the PyTorch engine), and {@link dev.djlquant.benchmarks.CompareRunner}, which runs
 * them and prints one side-by-side table; {@link dev.djlquant.benchmarks.ModelBench} measures the
 * same library at model level (apply, COMPRESSED forward, resident memory) on the shared models;
 * {@link dev.djlquant.benchmarks.TorchComparison} and {@link
 * dev.djlquant.benchmarks.StudyPythonComparison} time PyTorch's own int8 quantization and the
 * study's per-value Python arithmetic beside djl-quant.
 */
package dev.djlquant.benchmarks;
