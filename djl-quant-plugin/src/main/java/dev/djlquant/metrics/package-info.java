/** Error and code-usage metrics of quantized tensors: MAE, MSE, SQNR, entropy, exponent counts. */
package dev.djlquant.metrics;
