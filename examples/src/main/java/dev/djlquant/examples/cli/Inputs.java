package dev.djlquant.examples.cli;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.djlquant.data.CifarData;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CheckpointReader;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What a {@code --model} or {@code --data} path holds, and how to open it. */
final class Inputs {

    /** DJL's message for a data type name it does not know: a damaged parameter header. */
    private static final Pattern DAMAGED_DATA_TYPE =
            Pattern.compile("No enum constant ai\\.djl\\.ndarray\\.types\\.DataType\\.(.*)");

    /** The kinds of model paths the commands accept. */
    enum ModelKind {
        /** A djlq checkpoint directory (has manifest.json). */
        CHECKPOINT,
        /** A TorchScript file. */
        TORCHSCRIPT,
        /** A DJL model directory with a .params file (needs --arch). */
        DJL_DIRECTORY
    }

    /** A model path, resolved to the file or directory that holds the model. */
    record ModelPath(ModelKind kind, Path path) {}

    private Inputs() {}

    static ModelPath model(CommandSpec spec, Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".pt")) {
                return new ModelPath(ModelKind.TORCHSCRIPT, path);
            }
            throw new ParameterException(
                    spec.commandLine(), "Model file " + path + " is not a TorchScript .pt file");
        }
        if (!Files.isDirectory(path)) {
            throw new ParameterException(
                    spec.commandLine(),
                    Files.exists(path)
                            ? path + " is neither a TorchScript file nor a model directory"
                            : "No model at " + path);
        }
        if (Files.exists(path.resolve(CheckpointManifest.FILE_NAME))) {
            return new ModelPath(ModelKind.CHECKPOINT, path);
        }
        CheckpointReader.refuseLostManifest(path);
        List<Path> files;
        try (Stream<Path> list = Files.list(path)) {
            files = list.sorted().toList();
        }
        List<Path> pt = files.stream().filter(f -> f.toString().endsWith(".pt")).toList();
        if (pt.size() == 1) {
            return new ModelPath(ModelKind.TORCHSCRIPT, pt.get(0));
        }
        if (files.stream().anyMatch(f -> f.toString().endsWith(".params"))) {
            return new ModelPath(ModelKind.DJL_DIRECTORY, path);
        }
        if (pt.size() > 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Directory "
                            + path
                            + " holds "
                            + pt.size()
                            + " TorchScript .pt files; give the one to use");
        }
        throw new ParameterException(
                spec.commandLine(),
                "Directory "
                        + path
                        + " holds no djlq checkpoint (manifest.json), single TorchScript .pt file"
                        + " or DJL .params file");
    }

    static void checkArch(CommandSpec spec, String arch) {
        if (arch != null && !CifarArchitectures.names().contains(arch)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Unknown --arch '" + arch + "'; valid: " + CifarArchitectures.names());
        }
    }

    /** Refuses a DJL model directory without {@code --arch}, which its block is rebuilt from. */
    static void requireArchFor(CommandSpec spec, ModelPath source, String arch) {
        if (source.kind() == ModelKind.DJL_DIRECTORY && arch == null) {
            throw new ParameterException(
                    spec.commandLine(), "A DJL model directory needs --arch to rebuild its block");
        }
    }

    /** Loads a float DJL-native model: imported from TorchScript, or a saved DJL directory. */
    static Model nativeModel(ModelPath model, String arch) throws Exception {
        if (model.kind() == ModelKind.TORCHSCRIPT) {
            return TorchScriptImport.load(model.path(), arch);
        }
        String prefix = parameterPrefix(model.path());
        checkParameterFiles(model.path(), prefix, arch);
        Model m = Model.newInstance(prefix, TorchScriptImport.ENGINE);
        try {
            Block block = CifarArchitectures.byName(arch);
            m.setBlock(block);
            // Initialize before loading: a block that only loaded its parameters has input shapes
            // but no input names, and describeInput() (which COMPRESSED quantization calls)
            // then fails with "key value size mismatch".
            block.initialize(m.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
            try {
                m.load(model.path(), prefix);
            } catch (Exception e) {
                // DJL's messages ("Unsupported encoding version: 1") name no file.
                throw new MalformedModelException(
                        "Cannot load DJL model directory "
                                + model.path()
                                + " ("
                                + prefix
                                + "-NNNN.params) into "
                                + arch
                                + ": "
                                + loadFailure(e, arch),
                        e);
            }
            return m;
        } catch (Exception e) {
            m.close();
            throw e;
        }
    }

    /**
     * What DJL's failure to read a parameter file means: its own messages describe the bytes it
     * read ("java.io.EOFException", "No enum constant ...DataType.FZOAT32", "Unsupported encoding
     * version: 2" where the next block of another architecture begins), not the file's fault.
     */
    private static String loadFailure(Throwable e, String arch) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof EOFException) {
                return "the parameter file ends early (truncated?)";
            }
        }
        String message = Djlq.describe(e);
        Matcher dataType = DAMAGED_DATA_TYPE.matcher(message);
        if (dataType.find()) {
            return "a parameter's header is damaged (data type '" + dataType.group(1) + "')";
        }
        if (message.startsWith("Unsupported encoding version")) {
            return message
                    + ": the file holds another architecture than "
                    + arch
                    + " (a wrong --arch?), or is damaged";
        }
        return message;
    }

    /**
     * Refuses {@code .params} files without DJL's header: DJL's own load skips such a file without
     * a word and leaves the block at its random initialization, which would then be quantized or
     * evaluated as if it were the model.
     */
    private static void checkParameterFiles(Path dir, String prefix, String arch)
            throws IOException, MalformedModelException {
        List<Path> params = parameterFiles(dir, prefix);
        for (Path f : params) {
            byte[] head = new byte[4];
            int n;
            try (InputStream in = Files.newInputStream(f)) {
                n = in.readNBytes(head, 0, 4);
            }
            if (n < 4 || !"DJL@".equals(new String(head, StandardCharsets.US_ASCII))) {
                throw new MalformedModelException(
                        "Cannot load DJL model directory "
                                + dir
                                + " into "
                                + arch
                                + ": "
                                + f
                                + " is not a DJL parameter file (no DJL@ header)");
            }
        }
    }

    /** The {@code <prefix>-NNNN.params} files of {@code dir}, by epoch. */
    private static List<Path> parameterFiles(Path dir, String prefix) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(
                            f ->
                                    f.getFileName()
                                            .toString()
                                            .matches(Pattern.quote(prefix) + "-\\d{4}\\.params"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * The parameter file DJL loads from a DJL model directory (the highest epoch's), for the record
     * of where a checkpoint's weights came from.
     */
    static Path parameterFile(Path dir) throws IOException {
        List<Path> params = parameterFiles(dir, parameterPrefix(dir));
        return params.get(params.size() - 1);
    }

    /** The model name of the {@code <name>-NNNN.params} files in a DJL model directory. */
    private static String parameterPrefix(Path dir) throws IOException {
        List<String> prefixes;
        try (Stream<Path> list = Files.list(dir)) {
            prefixes =
                    list.map(f -> f.getFileName().toString())
                            .filter(n -> n.matches(".+-\\d{4}\\.params"))
                            .map(n -> n.substring(0, n.length() - "-0000.params".length()))
                            .distinct()
                            .toList();
        }
        if (prefixes.size() != 1) {
            throw new IOException(
                    "Expected the .params files of one model in "
                            + dir
                            + ", found the model names "
                            + prefixes);
        }
        return prefixes.get(0);
    }

    /**
     * Opens CIFAR-10 from archives (extracted once into {@code cacheDir}), image folders or binary
     * batches.
     */
    static CifarData cifar(CommandSpec spec, Path data, Path cacheDir) {
        if (Files.isRegularFile(data.resolve("test-jpg.tar.gz"))) {
            return CifarData.fromArchives(data, cacheDir);
        }
        if (Files.isDirectory(data.resolve("test"))) {
            return CifarData.fromImageFolders(data);
        }
        if (Files.isRegularFile(data.resolve("test_batch.bin"))
                || Files.isDirectory(data.resolve("cifar-10-batches-bin"))) {
            return CifarData.fromBinary(data);
        }
        throw new ParameterException(
                spec.commandLine(),
                "No CIFAR-10 test data in "
                        + data
                        + ": expected test-jpg.tar.gz, a test/<class>/ image tree, or"
                        + " test_batch.bin");
    }
}
