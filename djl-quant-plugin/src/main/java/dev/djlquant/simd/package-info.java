/**
 * How the library's kernels use the machine, the lowest package so that every other may use it:
 * {@link dev.djlquant.simd.VectorApi} says whether the incubating Vector API may be used in this
 * JVM, {@link dev.djlquant.simd.ParallelBlocks} runs work in blocks on the common fork-join pool.
 * The SIMD kernels live beside the scalar loops they replace (number formats, packed codes, error
 * metrics, and the group maxima in the root package's {@code VectorMaxima}) and fall back to them.
 */
package dev.djlquant.simd;
