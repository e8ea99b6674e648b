/**
 * Number formats: pure scalar arithmetic of every quantization code (intK, OCP FP8, dynamic tree,
 * normal-float, and the study's own FP8, dynamic-tree and linear int8 arithmetic), with bulk
 * encoders (a code table per format; where the Vector API runs, SIMD for intK and FP8 and threshold
 * comparisons for codebooks of up to 8 entries). No DJL types live here.
 */
package dev.djlquant.format;
