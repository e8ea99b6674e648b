/**
 * Training-loop integration: a {@link dev.djlquant.training.QuantizationListener} that reports
 * after every epoch how the model would score once quantized, {@link
 * dev.djlquant.training.QatTraining} to wrap a model for quantization-aware training and quantize
 * it afterwards, and {@link dev.djlquant.training.Freezing} to choose which parameters a fine-tune
 * updates.
 */
package dev.djlquant.training;
