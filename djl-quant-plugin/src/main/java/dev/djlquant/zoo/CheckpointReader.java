package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import dev.djlquant.files.Digests;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Verifies and loads quantized checkpoints written by {@link CheckpointWriter}. Verification reads
 * the manifest (its own checksum and format version), then checks the size and SHA-256 of every
 * file it lists, including a referenced TorchScript file, and that {@code serving.properties} says
 * what the manifest implies; loading goes through DJL's {@link Criteria} with the checkpoint's
 * {@code serving.properties}, whose {@link CheckpointBlockFactory} verifies again and checks every
 * tensor's CRC-32 after reading it.
 */
public final class CheckpointReader {

    private CheckpointReader() {}

    /**
     * {@link #verify}, then every tensor read as loading reads it (what {@code djlq inspect}
     * checks): a DJL-native checkpoint's parameter file read by DJL into its architecture, each
     * quantized tensor against the spec, shape and CRC-32 the manifest lists and each float one
     * against its CRC-32; a TorchScript checkpoint's quantized tensors from its weights file the
     * same way, and every entry of its TorchScript file against the CRC-32 its archive records.
     *
     * @param directory the checkpoint directory
     * @return its manifest
     * @throws CheckpointException naming the first file at fault and what is wrong with it
     */
    public static CheckpointManifest verifyTensors(Path directory) throws CheckpointException {
        CheckpointManifest manifest = verify(directory);
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        if (ts != null) {
            WeightsFile.readListed(directory, manifest);
            checkModuleEntries(ts.path(directory));
        } else {
            readParameters(directory, manifest);
        }
        return manifest;
    }

    /**
     * Reads a DJL-native checkpoint's parameter file as loading does, into a model closed again.
     */
    private static void readParameters(Path directory, CheckpointManifest manifest)
            throws CheckpointException {
        try (Model scratch = Model.newInstance("djlq-verify", TorchScriptImport.ENGINE)) {
            Block architecture =
                    Architectures.newBlock(manifest.architecture(), scratch, directory);
            Path parameters = directory.resolve(CheckpointWriter.PARAMETERS_FILE);
            CheckpointBlockFactory.readInto(
                    scratch, new CheckpointBlock(architecture, manifest, parameters), directory);
        } catch (IOException | RuntimeException e) {
            throw named(directory, manifest, e);
        }
    }

    /**
     * Refuses a checkpoint's TorchScript module whose archive entries do not match their CRC-32s:
     * its sha256 matched, so a manifest recorded the damage, and libtorch would load it.
     */
    static void checkModuleEntries(Path module) throws CheckpointException {
        String damaged;
        try {
            damaged = ZipChecksums.firstMismatch(module);
        } catch (IOException e) {
            throw new CheckpointException(module, "unreadable (" + e.getMessage() + ")", e);
        }
        if (damaged != null) {
            throw new CheckpointException(module, damaged);
        }
    }

    /**
     * Refuses a directory that lost its checkpoint's manifest: its {@code serving.properties} names
     * djlq's block factory but there is no {@code manifest.json}. Nothing can verify it, and its
     * files alone would load as a plain model, wrongly. Returns for any other directory.
     *
     * @param directory the directory to look at
     * @throws CheckpointException naming the missing manifest, if the directory is such a
     *     checkpoint
     */
    public static void refuseLostManifest(Path directory) throws CheckpointException {
        ManifestReader.refuseLostManifest(directory);
    }

    /**
     * Checks a checkpoint without loading it: every listed file, a {@code serving.properties} that
     * says what the manifest implies, and no unlisted DJL parameter file that DJL would read
     * instead of the listed one.
     *
     * @param directory the checkpoint directory
     * @return its manifest
     * @throws CheckpointException naming the first file at fault and what is wrong with it
     */
    public static CheckpointManifest verify(Path directory) throws CheckpointException {
        CheckpointManifest manifest = CheckpointManifest.read(directory);
        Path manifestFile = directory.resolve(CheckpointManifest.FILE_NAME);
        for (CheckpointManifest.FileEntry f : manifest.files()) {
            if (f.name() == null
                    || f.name().isEmpty()
                    || f.name().contains("/")
                    || f.name().contains("\\")
                    || f.name().startsWith(".")) {
                throw new CheckpointException(
                        manifestFile, "lists a file outside the checkpoint: " + f.name());
            }
            checkFile(
                    directory.resolve(f.name()), f.bytes(), f.sha256(), "listed in manifest.json");
        }
        String needed =
                manifest.kind() == CheckpointManifest.Kind.DJL_NATIVE
                        ? CheckpointWriter.ROLE_PARAMETERS
                        : CheckpointWriter.ROLE_WEIGHTS;
        if (manifest.file(needed) == null) {
            throw new CheckpointException(manifestFile, "lists no '" + needed + "' file");
        }
        checkServingProperties(directory, manifest);
        if (manifest.kind() == CheckpointManifest.Kind.DJL_NATIVE) {
            refuseUnlistedParameterFiles(directory);
        }
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        if (ts != null) {
            if (ts.embedded()) {
                if (manifest.files().stream().noneMatch(f -> f.name().equals(ts.file()))) {
                    throw new CheckpointException(
                            manifestFile, "embeds " + ts.file() + " but does not list it");
                }
            } else {
                checkFile(
                        Path.of(ts.file()),
                        ts.bytes(),
                        ts.sha256(),
                        "the TorchScript file this checkpoint references");
            }
        }
        return manifest;
    }

    /**
     * A load failure as a {@link CheckpointException}: the one in its causes, or else one naming
     * the file DJL or the engine was reading, whose own messages ("Unsupported encoding version:
     * 1", "malformed input around byte 225") name none. The files matched their checksums, so such
     * a failure means a manifest that describes them wrongly, or a bug.
     */
    private static CheckpointException named(
            Path directory, CheckpointManifest manifest, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CheckpointException c) {
                return c;
            }
        }
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        Path read =
                ts == null
                        ? directory.resolve(CheckpointWriter.PARAMETERS_FILE)
                        : ts.path(directory);
        return new CheckpointException(
                read,
                "cannot be loaded as "
                        + CheckpointManifest.FILE_NAME
                        + " describes it ("
                        + (e.getMessage() == null ? e : e.getMessage())
                        + ")",
                e);
    }

    /**
     * Refuses a {@value CheckpointWriter#SERVING_FILE} other than the one the manifest's fields
     * imply (comments aside): DJL reads it first and loads by it, so one edited together with a
     * re-signed manifest would load the checkpoint otherwise than the manifest describes it.
     */
    private static void checkServingProperties(Path dir, CheckpointManifest manifest)
            throws CheckpointException {
        Path file = dir.resolve(CheckpointWriter.SERVING_FILE);
        Properties expected = new Properties();
        Properties actual = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            expected.load(new StringReader(CheckpointWriter.servingProperties(manifest)));
            actual.load(in);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "missing (DJL loads a checkpoint by it)", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException(file, "unreadable (" + e.getMessage() + ")", e);
        }
        if (!actual.equals(expected)) {
            throw new CheckpointException(
                    file,
                    "says "
                            + new TreeMap<>(actual)
                            + " but the "
                            + CheckpointManifest.FILE_NAME
                            + " beside it implies "
                            + new TreeMap<>(expected)
                            + ": one of them was edited (or written by another version of"
                            + " djl-quant); write the checkpoint again");
        }
    }

    /** The parameter files DJL considers for the checkpoint's model name: one per epoch. */
    private static final Pattern DJL_PARAMETER_FILE =
            Pattern.compile(Pattern.quote(CheckpointWriter.MODEL_NAME) + "-\\d{4}\\.params");

    /**
     * Refuses a DJL parameter file of the checkpoint's model name besides the listed one: DJL reads
     * the file of the highest epoch ({@code model-0001.params} before {@code model-0000.params}),
     * so such a file would be loaded unverified and its damage blamed on the listed file.
     */
    private static void refuseUnlistedParameterFiles(Path dir) throws CheckpointException {
        Path stray;
        try (Stream<Path> files = Files.list(dir)) {
            stray =
                    files.filter(
                                    f ->
                                            DJL_PARAMETER_FILE
                                                    .matcher(f.getFileName().toString())
                                                    .matches())
                            .filter(
                                    f ->
                                            !f.getFileName()
                                                    .toString()
                                                    .equals(CheckpointWriter.PARAMETERS_FILE))
                            .sorted()
                            .findFirst()
                            .orElse(null);
        } catch (IOException | UncheckedIOException e) {
            throw new CheckpointException(dir, "cannot be listed: " + e.getMessage(), e);
        }
        if (stray != null) {
            throw new CheckpointException(
                    stray,
                    "is a DJL parameter file that manifest.json does not list; DJL would read it"
                            + " instead of "
                            + CheckpointWriter.PARAMETERS_FILE
                            + ": remove it");
        }
    }

    /**
     * Loads a checkpoint directory through DJL's {@link Criteria}: engine, block factory, model
     * name and translator arguments come from its {@code serving.properties}; the translator
     * factory of a {@value CheckpointWriter#CIFAR10} checkpoint is named here, because DJL picks
     * the factory before it reads that file.
     *
     * @param directory the checkpoint directory
     * @param input the input type, e.g. {@code Image.class} or {@code NDList.class}
     * @param output the output type, e.g. {@code Classifications.class}
     * @param <I> the input type
     * @param <O> the output type
     * @return the loaded model; the caller closes it
     * @throws CheckpointException if a file is missing, damaged, or of another version, or DJL
     *     cannot read a verified file as the manifest describes it (named in the message)
     * @throws IOException if reading fails otherwise
     * @throws ModelNotFoundException if no translator fits the types
     * @throws MalformedModelException never in practice: DJL's are reported as {@link
     *     CheckpointException}s
     */
    public static <I, O> ZooModel<I, O> load(Path directory, Class<I> input, Class<O> output)
            throws IOException, ModelNotFoundException, MalformedModelException {
        // Verified here too (the block factory checks DJL's cached copy on the zoo path): a damaged
        // serving.properties could otherwise keep DJL from calling the factory at all.
        CheckpointManifest manifest = verify(directory);
        ZooModel<I, O> model;
        try {
            model =
                    Criteria.builder()
                            .setTypes(input, output)
                            .optModelPath(directory.toAbsolutePath())
                            .optArguments(
                                    CifarTranslatorFactory.checkpointArguments(
                                            manifest.dataset(), manifest.normalization()))
                            .build()
                            .loadModel();
        } catch (IOException | MalformedModelException | RuntimeException e) {
            // DJL reports some damage as an IllegalArgumentException ("No enum constant ...").
            throw named(directory, manifest, e);
        }
        if (model.getBlock() instanceof CheckpointBlock block) {
            try {
                block.requireLoaded();
            } catch (CheckpointException e) {
                model.close();
                throw e;
            }
        }
        return model;
    }

    static void checkFile(Path file, long bytes, String sha256, String what)
            throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(
                    file,
                    (Files.exists(file) ? "is not a regular file (" : "missing (") + what + ")");
        }
        long size;
        String actual;
        try {
            size = Files.size(file);
            if (size != bytes) {
                // Shorter is not necessarily truncated (an edited file), longer not appended to.
                throw new CheckpointException(
                        file,
                        "is "
                                + size
                                + " bytes, the manifest records "
                                + bytes
                                + " ("
                                + what
                                + "): damaged or changed after the checkpoint was written");
            }
            actual = Digests.sha256(file);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "unreadable (" + e.getMessage() + ")", e);
        }
        if (!actual.equals(sha256)) {
            throw new CheckpointException(
                    file,
                    "sha256 mismatch (expected "
                            + sha256
                            + ", actual "
                            + actual
                            + ", "
                            + what
                            + "): damaged or changed after the checkpoint was written");
        }
    }
}
