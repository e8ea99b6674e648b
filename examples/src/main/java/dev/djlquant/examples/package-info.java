/**
 * Examples outside the library: the study reproduction ({@code study}), quantization-aware training
 * ({@code qat}) and the {@code djlq} command line ({@code cli}) that runs them.
 */
package dev.djlquant.examples;
