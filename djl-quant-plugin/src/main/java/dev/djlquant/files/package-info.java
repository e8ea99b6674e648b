/**
 * File utilities shared by the checkpoint ({@code zoo}) and data packages: atomic writes through
 * hidden temporary siblings, recursive deletion, streaming digests, and file-system errors in
 * words. Plain JDK only: no DJL, and no other package of this library.
 */
package dev.djlquant.files;
