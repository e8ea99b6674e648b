/**
 * Error and code-usage metrics of quantized tensors: MAE, MSE, SQNR, entropy, exponent counts. The
 * error sums run in eight fixed lanes ({@link dev.djlquant.metrics.ErrorSums}), SIMD where the
 * Vector API runs, the same doubles either way.
 */
package dev.djlquant.metrics;
