/** Examples outside the library: the study reproduction and shared helpers for the mains. */
package dev.djlquant.examples;
