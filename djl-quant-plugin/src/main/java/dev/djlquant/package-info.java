/**
 * The public face of djl-quant: {@link dev.djlquant.Quantizer} schemes parsed from spec strings,
 * {@link dev.djlquant.QuantizedTensor} packed storage, and the DJL integration that applies them to
 * models and blocks.
 */
package dev.djlquant;
