/**
 * Quantization-aware training on real data: the shared AlexNet-CIFAR weights quantized after
 * training, against the same weights after a short QAT fine-tune ({@link
 * dev.djlquant.examples.qat.QatExperiment}).
 */
package dev.djlquant.examples.qat;
