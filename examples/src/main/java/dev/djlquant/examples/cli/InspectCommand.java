package dev.djlquant.examples.cli;

import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CheckpointReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Verifies a checkpoint and prints its per-layer table. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Verify a checkpoint (every file's size and sha256, the manifest's own checksum,"
                    + " format version and fields, and every tensor read as loading reads it,"
                    + " against its spec, shape and CRC-32) and print its per-layer table: spec,"
                    + " bytes, errors, exponent histogram, and what loading it costs.",
        },
        footer = {
            "",
            "Exit codes: 0 intact, 1 missing, damaged or unsupported, 2 the command line was"
                    + " wrong."
        })
final class InspectCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "<checkpoint>", description = "Checkpoint directory.")
    Path checkpoint;

    @Option(names = "--json", description = "Print the manifest as JSON instead.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CheckpointManifest manifest = CheckpointReader.verifyTensors(checkpoint);
        if (json) {
            out.print(manifest.toJson());
            out.flush();
            return 0;
        }
        long manifestBytes = Files.size(checkpoint.resolve(CheckpointManifest.FILE_NAME));
        out.println("# " + checkpoint.toAbsolutePath().normalize() + "\n");
        out.println(manifest.toMarkdown());
        long total = manifest.fileBytes() + manifestBytes;
        long payload = manifest.packedBytes() + manifest.unquantizedBytes();
        out.printf(
                Locale.ROOT,
                "Verified: %d files and the manifest (%d bytes) match their sizes and sha256,"
                        + " every tensor its spec, shape and CRC-32; %d bytes in all, %s.%n",
                manifest.files().size(),
                manifestBytes,
                total,
                manifest.kind() == CheckpointManifest.Kind.DJL_NATIVE
                        ? String.format(
                                Locale.ROOT,
                                "%d (%.4f%%) over packed + unquantized",
                                total - payload,
                                100.0 * (total - payload) / payload)
                        : "TorchScript file included if embedded");
        out.flush();
        return 0;
    }
}
