/**
 * The reproduction of "Evaluating Row-Wise Dynamic Tree Quantization": AlexNet and VGG16 on
 * CIFAR-10, fine-tuned from pretrained weights, then quantized with every scheme of the study and a
 * few more; accuracy, real and estimated sizes, errors, code entropy and exponent histograms, as
 * Markdown, CSV, JSON and PNG charts. {@link dev.djlquant.examples.study.Study} runs it; the {@code
 * djlq study} subcommand is its command line.
 */
package dev.djlquant.examples.study;
