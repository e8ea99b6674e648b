/**
 * Bit-level packing of codes and permutations into byte streams (LSB-first), and the kernels that
 * read them back: {@link dev.djlquant.pack.BitPacker} packs runs of values and holds the scalar
 * loops, {@link dev.djlquant.pack.PackedValues} holds a tensor's packed values in heap-friendly
 * segments, {@link dev.djlquant.pack.CodeKernel} picks SIMD kernels (JDK Vector API, when {@code
 * jdk.incubator.vector} is present) where they pay, and {@link dev.djlquant.pack.PackedDot} takes
 * dot products straight from the codes.
 */
package dev.djlquant.pack;
