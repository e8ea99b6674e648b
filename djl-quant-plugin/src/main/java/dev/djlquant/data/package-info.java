/**
 * Real CIFAR-10 data for tests, examples, benchmarks and the training listener's evaluation:
 * readers for the JPEG folder layout, its {@code .tar.gz} archives (extracted once into a cache)
 * and the binary {@code cifar-10-batches-bin} files; decoded images as a DJL {@code Dataset}; the
 * per-channel normalization models expect of their inputs; and accuracy evaluation.
 */
package dev.djlquant.data;
