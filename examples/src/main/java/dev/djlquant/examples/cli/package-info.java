/** The {@code djlq} command line: one picocli subcommand per job, exit codes scripts can trust. */
package dev.djlquant.examples.cli;
