package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import dev.djlquant.files.Digests;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The copy of a TorchScript file that a TorchScript checkpoint embeds, without the float values of
 * its quantized weights: the checkpoint's {@code weights.djlq} overwrites them on every load, so
 * their storages are written as zeros, deflated to a few bytes, and the copy costs the module's
 * code and its other tensors instead of all its weights. libtorch reads deflated entries as it
 * reads the stored ones.
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
     * content is one of {@code blank} (and of no other storage) are zero-filled.
     *
     * @return the number of storages blanked
     * @throws IOException if reading or writing fails, or {@code source} is not a zip archive
     */
    static int write(Path source, Collection<Content> blank, Path target) throws IOException {
        try (ZipFile zip = new ZipFile(source.toFile())) {
            Set<String> blanked = storagesToBlank(zip, Set.copyOf(blank));
            try (ZipOutputStream out =
                    new ZipOutputStream(
                            new BufferedOutputStream(Files.newOutputStream(target), BUFFER))) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    if (blanked.contains(entry.getName())) {
                        writeZeros(out, entry);
                    } else {
                        copyEntry(zip, entry, out);
                    }
                }
            }
            return blanked.size();
        }
    }

    /**
     * The storages whose content is one of {@code blank} and whose content no other storage has.
     */
    private static Set<String> storagesToBlank(ZipFile zip, Set<Content> blank) throws IOException {
        Set<Long> lengths = new HashSet<>();
        blank.forEach(c -> lengths.add(c.bytes()));
        Map<Content, List<String>> byContent = new HashMap<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            if (STORAGE.matcher(entry.getName()).matches() && lengths.contains(entry.getSize())) {
                Content content = new Content(entry.getSize(), sha256(zip, entry));
                byContent.computeIfAbsent(content, c -> new ArrayList<>()).add(entry.getName());
            }
        }
        Set<String> names = new HashSet<>();
        byContent.forEach(
                (content, entries) -> {
                    if (entries.size() == 1 && blank.contains(content)) {
                        names.add(entries.get(0));
                    }
                });
        return names;
    }

    private static String sha256(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return Digests.sha256(in);
        }
    }

    private static void writeZeros(ZipOutputStream out, ZipEntry entry) throws IOException {
        ZipEntry zeros = new ZipEntry(entry.getName());
        zeros.setMethod(ZipEntry.DEFLATED);
        out.putNextEntry(zeros);
        byte[] buffer = new byte[BUFFER];
        for (long left = entry.getSize(); left > 0; left -= buffer.length) {
            out.write(buffer, 0, (int) Math.min(left, buffer.length));
        }
        out.closeEntry();
    }

    /**
     * Copies an entry as the source holds it: stored (PyTorch stores storages uncompressed, so that
     * a loader could map them from the file) or deflated (the module's code).
     */
    private static void copyEntry(ZipFile zip, ZipEntry entry, ZipOutputStream out)
            throws IOException {
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setMethod(entry.getMethod());
        if (entry.getMethod() == ZipEntry.STORED) {
            copy.setSize(entry.getSize());
            copy.setCompressedSize(entry.getSize());
            copy.setCrc(entry.getCrc());
        }
        out.putNextEntry(copy);
        try (InputStream in = zip.getInputStream(entry)) {
            in.transferTo(out);
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
        try (ZooModel<NDList, NDList> m = TorchScriptImport.open(copy, false)) {
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
