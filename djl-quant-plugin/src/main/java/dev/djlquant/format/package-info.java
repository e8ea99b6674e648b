/**
 * Number formats: pure scalar arithmetic of every quantization code (intK, OCP FP8, dynamic tree,
 * normal-float, and the study's own FP8, dynamic-tree and linear int8 arithmetic), with bulk
 * encoders (a code table per format, SIMD for intK and FP8 where the Vector API runs). No DJL types
 * live here.
 */
package dev.djlquant.format;
