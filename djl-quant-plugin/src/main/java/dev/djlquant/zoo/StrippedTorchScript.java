package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import dev.djlquant.files.Digests;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The copy of a TorchScript file that a TorchScript checkpoint embeds, without the float values of
 * its quantized weights: the checkpoint's {@code weights.djlq} overwrites them on every load, so
 * their storages are written as NaN, deflated to a few bytes, and the copy costs the module's code
 * and its other tensors instead of all its weights. libtorch reads deflated entries as it reads the
 * stored ones. NaN rather than zeros, and an entry {@value #MARKER} that {@link #isStripped} finds,
 * so that the copy loaded on its own, without the checkpoint, cannot pass for a model.
 *
 * <p>A TorchScript file is a zip archive whose tensor storages are the entries {@code
 * <root>/data/<n>}. Which storage holds which tensor is written in a pickle; rather than parse it,
 * a storage is matched by content: it is blanked when its bytes are exactly those of one quantized
 * weight and of no other storage of the archive, so that a tensor with equal values in a storage of
 * its own (a buffer, an unquantized parameter) is never touched. {@link #checkUnchanged} then
 * confirms on the written copy that every parameter left out of the quantization is intact.
 */
final class StrippedTorchScript {

    private static final Pattern STORAGE = Pattern.compile("[^/]+/data/\\d+");

    private static final int BUFFER = 1 << 16;

    /** The entry, under the archive's root folder, that marks a copy written here. */
    static final String MARKER = "extra/djlq-stripped.txt";

    private static final String MARKER_TEXT =
            "This TorchScript module belongs to a djl-quant checkpoint: the values of its quantized"
                    + " weights were left out (they read NaN) and are restored from the"
                    + " checkpoint's weights.djlq. Load the checkpoint directory, not this file.\n";

    private StrippedTorchScript() {}

    /** A tensor's raw bytes as the archive stores them: their count and SHA-256. */
    record Content(long bytes, String sha256) {

        static Content of(NDArray array) {
            byte[] raw = array.toByteArray();
            return new Content(raw.length, Digests.sha256(raw));
        }
    }

    /**
     * Writes a copy of {@code source} to the new file {@code target} in which the storages whose
     * content is a key of {@code blank} (and of no other storage) hold NaN of the data type it maps
     * to (zeros for a type without NaN), and which carries the entry {@value #MARKER}.
     *
     * @return the number of storages blanked
     * @throws IOException if reading or writing fails, or {@code source} is not a zip archive; a
     *     {@link FileSystemException} naming {@code source} and the entry if a copied entry fails
     *     its CRC-32
     */
    static int write(Path source, Map<Content, DataType> blank, Path target) throws IOException {
        try (ZipFile zip = new ZipFile(source.toFile())) {
            Map<String, DataType> blanked = storagesToBlank(zip, blank);
            String root = null;
            try (ZipOutputStream out =
                    new ZipOutputStream(
                            new BufferedOutputStream(Files.newOutputStream(target), BUFFER))) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    if (root == null) {
                        root = entry.getName().substring(0, entry.getName().indexOf('/') + 1);
                    }
                    DataType type = blanked.get(entry.getName());
                    if (type != null) {
                        writeNaN(out, entry, type);
                    } else {
                        copyEntry(source.toString(), zip, entry, out);
                    }
                }
                out.putNextEntry(new ZipEntry(root + MARKER));
                out.write(MARKER_TEXT.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            return blanked.size();
        }
    }

    /**
     * Whether {@code torchScript} is a copy written by {@link #write}; false for a file that is not
     * a zip archive (the engine says what it is).
     */
    static boolean isStripped(Path torchScript) throws IOException {
        try (ZipFile zip = new ZipFile(torchScript.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().endsWith("/" + MARKER));
        } catch (ZipException e) {
            return false;
        }
    }

    /**
     * The storages whose content is a key of {@code blank} and whose content no other storage has,
     * with the data type of their values.
     */
    private static Map<String, DataType> storagesToBlank(ZipFile zip, Map<Content, DataType> blank)
            throws IOException {
        Set<Long> lengths = new HashSet<>();
        blank.keySet().forEach(c -> lengths.add(c.bytes()));
        Map<Content, List<String>> byContent = new HashMap<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            if (STORAGE.matcher(entry.getName()).matches() && lengths.contains(entry.getSize())) {
                Content content = new Content(entry.getSize(), sha256(zip, entry));
                byContent.computeIfAbsent(content, c -> new ArrayList<>()).add(entry.getName());
            }
        }
        Map<String, DataType> names = new HashMap<>();
        byContent.forEach(
                (content, entries) -> {
                    if (entries.size() == 1 && blank.containsKey(content)) {
                        names.put(entries.get(0), blank.get(content));
                    }
                });
        return names;
    }

    private static String sha256(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return Digests.sha256(in);
        }
    }

    private static void writeNaN(ZipOutputStream out, ZipEntry entry, DataType type)
            throws IOException {
        ZipEntry blanked = new ZipEntry(entry.getName());
        blanked.setMethod(ZipEntry.DEFLATED);
        out.putNextEntry(blanked);
        byte[] nan = nanBytes(type);
        byte[] buffer = new byte[BUFFER]; // a multiple of every pattern's length
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = nan[i % nan.length];
        }
        for (long left = entry.getSize(); left > 0; left -= buffer.length) {
            out.write(buffer, 0, (int) Math.min(left, buffer.length));
        }
        out.closeEntry();
    }

    /** A quiet NaN of {@code type} in little-endian order, as PyTorch stores it; else zero. */
    private static byte[] nanBytes(DataType type) {
        return switch (type) {
            case FLOAT16 -> new byte[] {0x00, 0x7E};
            case BFLOAT16 -> new byte[] {(byte) 0xC0, 0x7F};
            case FLOAT32 -> new byte[] {0x00, 0x00, (byte) 0xC0, 0x7F};
            case FLOAT64 -> new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x7F};
            default -> new byte[] {0};
        };
    }

    /**
     * Copies an entry as the source holds it: stored (PyTorch stores storages uncompressed, so that
     * a loader could map them from the file) or deflated (the module's code).
     */
    private static void copyEntry(String source, ZipFile zip, ZipEntry entry, ZipOutputStream out)
            throws IOException {
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setMethod(entry.getMethod());
        if (entry.getMethod() == ZipEntry.STORED) {
            copy.setSize(entry.getSize());
            copy.setCompressedSize(entry.getSize());
            copy.setCrc(entry.getCrc());
        }
        out.putNextEntry(copy);
        String damaged = ZipChecksums.copy(zip, entry, out);
        if (damaged != null) {
            // Named before closeEntry, which would blame the copy being written.
            throw new FileSystemException(source, null, damaged);
        }
        out.closeEntry();
    }

    /**
     * Loads the written copy and checks that each parameter of {@code unquantized} holds the
     * content it had in the source.
     *
     * @throws CheckpointException naming the copy and the first parameter that changed, or why the
     *     engine cannot read the copy
     * @throws IOException if reading fails
     */
    static void checkUnchanged(Path copy, Map<String, Content> unquantized) throws IOException {
        try (ZooModel<NDList, NDList> m = TorchScriptImport.openModule(copy, false)) {
            for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                Content expected = unquantized.get(p.getKey());
                if (expected != null && !expected.equals(Content.of(p.getValue().getArray()))) {
                    throw new CheckpointException(
                            copy,
                            "changed the unquantized parameter "
                                    + p.getKey()
                                    + " while leaving out the quantized weights' values; write"
                                    + " the checkpoint with the TorchScript file referenced"
                                    + " instead (optEmbedTorchScript(false))");
                }
            }
        } catch (MalformedModelException e) {
            throw new CheckpointException(copy, e.getMessage(), e);
        }
    }
}
