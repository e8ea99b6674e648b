/**
 * The gate of the library's SIMD kernels: {@link dev.djlquant.simd.VectorApi} says whether the
 * incubating Vector API may be used in this JVM. The kernels live beside the scalar loops they
 * replace (number formats, packed codes, error metrics, and the group maxima in the root package's
 * {@code VectorMaxima}) and fall back to them.
 */
package dev.djlquant.simd;
