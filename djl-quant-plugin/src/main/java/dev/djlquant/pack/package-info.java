/** Bit-level packing of codes and permutations into byte streams (LSB-first). */
package dev.djlquant.pack;
