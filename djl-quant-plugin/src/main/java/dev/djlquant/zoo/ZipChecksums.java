package dev.djlquant.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The CRC-32 that a zip archive records for each entry, checked against the bytes: libtorch reads a
 * TorchScript file's tensors without checking them, and {@link ZipFile} checks none of a stored
 * entry's, so a damaged byte in a weight would otherwise load as a wrong value.
 */
final class ZipChecksums {

    private ZipChecksums() {}

    /**
     * Returns what is damaged in {@code archive}, the first entry whose bytes do not match their
     * recorded CRC-32, or null if none (and for a file that is not a zip archive: the engine says
     * what it is).
     *
     * @throws IOException if the archive cannot be read
     */
    static String firstMismatch(Path archive) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String problem = copy(zip, entry, OutputStream.nullOutputStream());
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        } catch (ZipException e) {
            return null;
        }
    }

    /**
     * Copies {@code entry}'s bytes to {@code out} and returns, if they do not match the CRC-32 the
     * archive records, a description that names the entry and both values; else null.
     */
    static String copy(ZipFile zip, ZipEntry entry, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(zip.getInputStream(entry), crc)) {
            in.transferTo(out);
        }
        if (entry.getCrc() == -1 || crc.getValue() == entry.getCrc()) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "its entry %s fails its CRC-32 (recorded %08x, read %08x): the file is damaged",
                entry.getName(),
                entry.getCrc(),
                crc.getValue());
    }
}
