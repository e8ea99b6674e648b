/**
 * Bit-level packing of codes and permutations into byte streams (LSB-first): {@link
 * dev.djlquant.pack.BitPacker} packs runs of values, {@link dev.djlquant.pack.PackedValues} holds a
 * tensor's packed values in heap-friendly segments.
 */
package dev.djlquant.pack;
