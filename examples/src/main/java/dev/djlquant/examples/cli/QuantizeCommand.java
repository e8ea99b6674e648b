package dev.djlquant.examples.cli;

import ai.djl.Model;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CheckpointWriter;
import dev.djlquant.zoo.ModelRepository;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Quantizes a model and writes (and optionally publishes) a checkpoint. */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Quantize a model's weights and write a checkpoint that DJL loads by itself.",
            "",
            "DJL-native checkpoints take the packed size on disk (codes, scales and the"
                    + " unquantized parameters) plus a few KiB; TorchScript checkpoints add the"
                    + " TorchScript module without its quantized weights' values (its code and"
                    + " other tensors), or a reference to the file by sha256.",
        },
        footer = {
            "",
            "Examples:",
            "  djlq quantize --model ../shared/models/alexnet_cifar10_fp16.pt \\",
            "      --arch alexnet-cifar10 --spec dt4@row --out ckpt/alexnet-dt4 \\",
            "      --publish alexnet-cifar10",
            "  djlq quantize --model ../shared/models/resnet20_cifar10.pt --spec int8@row \\",
            "      --normalize imagenet --out ckpt/resnet20-int8",
            "",
            "Exit codes: 0 written, 1 the job failed, 2 the command line was wrong."
        })
final class QuantizeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<dir|.pt>",
            description =
                    "TorchScript file (or a directory holding one), or a DJL model directory"
                            + " saved from --arch.")
    Path model;

    @Option(
            names = "--arch",
            paramLabel = "<name>",
            description =
                    "alexnet-cifar10 or vgg16-cifar10: import the TorchScript weights by order"
                            + " into this DJL-native architecture. Without it a TorchScript model"
                            + " is quantized as itself.")
    String arch;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "<spec>",
            converter = SpecConverter.class,
            description =
                    "Quantization scheme <format>@<granularity>[+dq], e.g. dt4@row, int8@row,"
                            + " nf4@block64+dq (+dq: the scales stored at 8 bits).")
    Quantizer quantizer;

    @Option(
            names = "--mode",
            paramLabel = "<mode>",
            description =
                    "How the loaded checkpoint holds its weights: compressed (packed codes,"
                            + " dequantized per forward; DJL-native only, the default there) or"
                            + " simulate (dequantized once into float weights; the only mode for"
                            + " TorchScript). The file is packed either way.")
    String mode;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<dir>",
            description =
                    "Checkpoint directory to create: a new path or an empty directory (see"
                            + " --force).")
    Path out;

    @Option(
            names = "--publish",
            paramLabel = "<artifactId>",
            description = "Also publish into the model repository as dev.djlquant:<artifactId>.")
    String publish;

    @Option(
            names = "--repository",
            paramLabel = "<dir>",
            description =
                    "Repository root for --publish (default: -Ddjlq.repository, else"
                            + " $DJLQ_REPOSITORY, else ~/.djlq/repository).")
    Path repository;

    @Mixin SelectionOptions selection;

    @Option(
            names = "--dataset",
            paramLabel = "<name>",
            description = "Dataset recorded in the checkpoint (default: ${DEFAULT-VALUE}).")
    String dataset = CheckpointWriter.CIFAR10;

    @Option(
            names = "--normalize",
            paramLabel = "<cifar|imagenet|m,m,m/s,s,s>",
            converter = NormalizationConverter.class,
            description =
                    "Input normalization the model was trained with, recorded for DJL's"
                            + " translator and for eval: "
                            + NormalizationConverter.VALUES
                            + ". Default: cifar for the dataset cifar10, else none.")
    ImageNormalization normalize;

    @Option(
            names = "--link-torchscript",
            description =
                    "Reference the TorchScript file by absolute path and sha256 instead of"
                            + " embedding a copy without the quantized weights' values.")
    boolean link;

    @Option(
            names = "--force",
            description =
                    "Replace a djlq checkpoint already at --out. Only a checkpoint is replaced"
                            + " (manifest.json and its files, nothing else): a file, a"
                            + " directory of other files, or the working directory is refused.")
    boolean force;

    @Option(names = "--quiet", description = "No progress output on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        Inputs.ModelPath source = checkOptions();
        CheckpointWriter writer = writer(source);
        checkOut(writer);
        CheckpointManifest manifest = quantize(source, writer);
        stdout.println(manifest.toMarkdown());
        long onDisk = manifest.fileBytes() + Files.size(out.resolve(CheckpointManifest.FILE_NAME));
        stdout.printf(
                Locale.ROOT,
                "Wrote %s: %d bytes on disk (%s).%n",
                out,
                onDisk,
                parts(manifest, onDisk));
        if (publish != null) {
            publish(stdout);
        }
        stdout.flush();
        return 0;
    }

    /** Refuses options that contradict each other or the model path; returns the model path. */
    private Inputs.ModelPath checkOptions() throws IOException {
        Inputs.checkArch(spec, arch);
        Inputs.ModelPath source = Inputs.model(spec, model);
        if (source.kind() == Inputs.ModelKind.CHECKPOINT) {
            throw new ParameterException(
                    spec.commandLine(),
                    model
                            + " is already a quantized checkpoint; quantizing it again would"
                            + " compound the error. Start from the float model.");
        }
        Inputs.requireArchFor(spec, source, arch);
        if (publish != null) {
            checkArtifactId(publish);
        } else if (repository != null) {
            throw new ParameterException(spec.commandLine(), "--repository is for --publish");
        }
        if (link && arch != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--link-torchscript is for TorchScript checkpoints: with --arch the checkpoint"
                            + " holds DJL parameters, nothing to link");
        }
        if (dataset.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--dataset is empty");
        }
        return source;
    }

    /** The checkpoint writer the options ask for. */
    private CheckpointWriter writer(Inputs.ModelPath source) throws IOException {
        PrintWriter stderr = spec.commandLine().getErr();
        CheckpointWriter.Builder builder =
                CheckpointWriter.builder()
                        .optDataset(dataset)
                        .optReplaceExisting(force)
                        .optLoadMode(loadMode(arch != null))
                        .optWarnings(w -> warn(stderr, w))
                        .optEmbedTorchScript(!link);
        if (arch != null) {
            boolean torchScript = source.kind() == Inputs.ModelKind.TORCHSCRIPT;
            builder.optSource(
                    torchScript ? source.path() : Inputs.parameterFile(source.path()),
                    torchScript
                            ? "TorchScript weights imported by order into " + arch
                            : "DJL parameters of " + arch);
        }
        if (normalize != null) {
            builder.optNormalization(normalize);
        }
        return builder.build();
    }

    /**
     * Quantizes the model and writes the checkpoint: COMPRESSED into {@code --arch}'s DJL-native
     * block, else SIMULATE inside the TorchScript file.
     */
    private CheckpointManifest quantize(Inputs.ModelPath source, CheckpointWriter writer)
            throws Exception {
        StderrProgress progress = new StderrProgress(spec.commandLine().getErr(), quiet);
        QuantConfig.Builder config = selection.config(quantizer, spec).optProgress(progress);
        if (arch == null) {
            progress.status("Quantizing " + source.path() + " with " + quantizer.spec() + " ...");
            return writer.writeTorchScript(source.path(), config.build(), out);
        }
        progress.status("Loading " + source.path() + " into " + arch + " ...");
        try (Model m = Inputs.nativeModel(source, arch)) {
            progress.status("Quantizing with " + quantizer.spec() + " ...");
            QuantizationReport report =
                    Quantizers.apply(m, config.optMode(QuantConfig.Mode.COMPRESSED).build());
            PrintWriter stderr = spec.commandLine().getErr();
            report.warnings().forEach(w -> warn(stderr, w));
            progress.status("Writing " + out + " ...");
            return writer.writeNative(m, report, arch, out);
        }
    }

    /** Publishes the written checkpoint and prints how to load it through DJL's Criteria. */
    private void publish(PrintWriter stdout) throws IOException {
        ModelRepository repo =
                repository == null
                        ? ModelRepository.fromEnvironment()
                        : ModelRepository.at(repository);
        ModelRepository.Published p;
        try {
            p = repo.publish(out, publish);
        } catch (IOException | RuntimeException e) {
            // The checkpoint stays: say so, or a re-run is refused for a reason not shown.
            throw new IOException(
                    "checkpoint written to "
                            + out
                            + "; publishing to repository "
                            + repo.root()
                            + " failed: "
                            + Djlq.describe(e),
                    e);
        }
        StringBuilder filters = new StringBuilder();
        p.filters()
                .forEach(
                        (k, v) ->
                                filters.append(".optFilter(\"")
                                        .append(k)
                                        .append("\", \"")
                                        .append(v)
                                        .append("\")"));
        stdout.printf(
                "Published dev.djlquant:%s (artifact %s) in %s%n  properties %s%n%s"
                        + "  load with Criteria.builder().optGroupId(\"dev.djlquant\")"
                        + ".optArtifactId(\"%s\")%s%s%n",
                p.artifactId(),
                p.name(),
                repo.root(),
                p.properties(),
                p.replaced().isEmpty()
                        ? ""
                        : "  replaces "
                                + String.join(", ", p.replaced())
                                + " (the same configuration, published before; deleted)\n",
                p.artifactId(),
                filters,
                repository == null
                        ? ""
                        : " with -D" + ModelRepository.ROOT_PROPERTY + "=" + repo.root());
    }

    /**
     * Refuses an --out that cannot be written before the model is loaded and quantized (seconds for
     * AlexNet, more for VGG): an existing one without --force, one --force must not replace, one
     * that cannot be created (an empty one is a usage error already). The writer checks again when
     * it writes.
     */
    private void checkOut(CheckpointWriter writer) {
        try {
            writer.checkTarget(out);
        } catch (IOException e) {
            throw new ParameterException(
                    spec.commandLine(), "Cannot write --out: " + Djlq.describe(e), e);
        }
    }

    private QuantConfig.Mode loadMode(boolean nativeModel) {
        if (mode == null) {
            return nativeModel ? QuantConfig.Mode.COMPRESSED : QuantConfig.Mode.SIMULATE;
        }
        QuantConfig.Mode m;
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "compressed":
                m = QuantConfig.Mode.COMPRESSED;
                break;
            case "simulate":
                m = QuantConfig.Mode.SIMULATE;
                break;
            default:
                throw new ParameterException(
                        spec.commandLine(),
                        "Unknown --mode '" + mode + "'; valid: compressed, simulate");
        }
        if (m == QuantConfig.Mode.COMPRESSED && !nativeModel) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--mode compressed needs DJL-native layers: add --arch to import the"
                            + " TorchScript weights, or use --mode simulate");
        }
        return m;
    }

    /** Prints a warning of the quantization, --quiet or not: it may mean a mistyped regex. */
    private static void warn(PrintWriter stderr, String warning) {
        stderr.println("djlq: warning: " + warning);
        stderr.flush();
    }

    /**
     * What the bytes on disk are: packed weights, then where the unquantized parameters are (in the
     * weights file of a DJL-native checkpoint, in the TorchScript file of a TorchScript one, which
     * is embedded or only referenced), then the metadata; the parts before the semicolon add up.
     */
    private static String parts(CheckpointManifest manifest, long onDisk) {
        long packed = manifest.packedBytes();
        long unquantized = manifest.unquantizedBytes();
        CheckpointManifest.TorchScript torchscript = manifest.torchscript();
        if (torchscript == null) {
            return String.format(
                    Locale.ROOT,
                    "packed %d + unquantized %d + metadata %d",
                    packed,
                    unquantized,
                    onDisk - packed - unquantized);
        }
        if (torchscript.embedded()) {
            return String.format(
                    Locale.ROOT,
                    "packed %d + TorchScript module %d (without the quantized weights' values)"
                            + " + metadata %d; the %d unquantized bytes are read from the module",
                    packed,
                    torchscript.bytes(),
                    onDisk - packed - torchscript.bytes(),
                    unquantized);
        }
        return String.format(
                Locale.ROOT,
                "packed %d + metadata %d; the %d unquantized bytes are read from the referenced"
                        + " TorchScript file of %d bytes",
                packed,
                onDisk - packed,
                unquantized,
                torchscript.bytes());
    }

    private void checkArtifactId(String id) {
        // The id names a directory of the repository: a file name, at most 255 bytes.
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Bad --publish artifact id '"
                            + id
                            + "': use letters, digits, '.', '_' and '-', starting with a letter or"
                            + " digit, at most 200 characters");
        }
    }
}
