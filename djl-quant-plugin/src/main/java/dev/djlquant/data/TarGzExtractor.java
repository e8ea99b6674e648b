package dev.djlquant.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Extracts a gzip-compressed tar archive (POSIX ustar, GNU long names, pax {@code path} records)
 * into a directory. Only regular files and directories are supported; links, devices and entries
 * escaping the target directory are rejected with an {@link IOException}.
 *
 * <p>Self-contained on purpose: commons-compress 1.28 needs commons-lang3 for tar entries, which
 * DJL's dependency on commons-compress excludes.
 */
final class TarGzExtractor {

    private static final int BLOCK = 512;

    // Header field offsets and lengths (POSIX ustar).
    private static final int NAME = 0;
    private static final int NAME_LENGTH = 100;
    private static final int SIZE = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int CHECKSUM = 148;
    private static final int CHECKSUM_LENGTH = 8;
    private static final int TYPE = 156;
    private static final int MAGIC = 257;
    private static final int PREFIX = 345;
    private static final int PREFIX_LENGTH = 155;

    private TarGzExtractor() {}

    /**
     * Extracts every entry below {@code target}.
     *
     * @param archive the {@code .tar.gz} file
     * @param target an existing directory
     * @throws IOException if the file is not a valid tar.gz or an entry is unsupported
     */
    static void extract(Path archive, Path target) throws IOException {
        try (InputStream in =
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
            extractEntries(in, target.toAbsolutePath().normalize());
            verifyGzipEnd(in);
        }
    }

    /**
     * Reads what follows the end-of-archive blocks (tar's zero padding) to the end, so that {@link
     * GZIPInputStream} checks the CRC-32 and length in the gzip trailer: without that, damaged file
     * content or a cut trailer would go unnoticed, since tar checksums only its headers.
     */
    private static void verifyGzipEnd(InputStream in) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (ZipException e) {
            throw new IOException(
                    "The archive is damaged: " + e.getMessage() + " (gzip checksum mismatch)", e);
        }
    }

    private static void extractEntries(InputStream in, Path root) throws IOException {
        byte[] header = new byte[BLOCK];
        String longName = null;
        long offset = 0;
        while (readBlock(in, header, offset)) {
            if (isZero(header)) {
                return;
            }
            checkChecksum(header, offset);
            char type = (char) header[TYPE];
            long size = parseNumber(header, SIZE, SIZE_LENGTH, offset);
            String name = longName != null ? longName : entryName(header);
            longName = null;
            offset += BLOCK;
            switch (type) {
                case 'L' -> longName = trimNul(readData(in, size, offset));
                case 'x' -> longName = paxPath(readData(in, size, offset));
                case 'g' -> readData(in, size, offset);
                case '5' -> {
                    Files.createDirectories(resolve(root, name));
                    skip(in, padded(size), offset);
                }
                case '0', '\0', '7' -> {
                    if (name.endsWith("/")) { // a directory in pre-POSIX (V7) archives
                        Files.createDirectories(resolve(root, name));
                        skip(in, padded(size), offset);
                    } else {
                        writeFile(in, resolveFile(root, name), size, offset);
                    }
                }
                default ->
                        throw new IOException(
                                "Unsupported tar entry type '" + type + "' for " + name);
            }
            offset += padded(size);
        }
        throw new EOFException("Tar archive ends without its end-of-archive blocks");
    }

    private static boolean readBlock(InputStream in, byte[] block, long offset) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException("Truncated tar header at offset " + offset);
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkChecksum(byte[] header, long offset) throws IOException {
        long expected = parseNumber(header, CHECKSUM, CHECKSUM_LENGTH, offset);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= CHECKSUM && i < CHECKSUM + CHECKSUM_LENGTH) ? ' ' : (header[i] & 0xFF);
        }
        if (sum != expected) {
            throw new IOException("Corrupt tar header (bad checksum) at offset " + offset);
        }
    }

    /** Parses an octal field, or a base-256 one (GNU, high bit of the first byte set). */
    private static long parseNumber(byte[] header, int from, int length, long offset)
            throws IOException {
        if ((header[from] & 0x80) != 0) {
            long value = header[from] & 0x7F;
            for (int i = from + 1; i < from + length; i++) {
                value = (value << 8) | (header[i] & 0xFF);
            }
            return value;
        }
        String field = new String(header, from, length, StandardCharsets.US_ASCII);
        String digits = field.replace('\0', ' ').trim();
        try {
            return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException("Corrupt tar header field '" + field + "' at offset " + offset);
        }
    }

    /** The ustar name, with its prefix field when the header is POSIX ustar (not GNU). */
    private static String entryName(byte[] header) {
        String name = trimNul(slice(header, NAME, NAME_LENGTH));
        String magic = new String(header, MAGIC, 6, StandardCharsets.US_ASCII);
        if (magic.equals("ustar\0")) {
            String prefix = trimNul(slice(header, PREFIX, PREFIX_LENGTH));
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    /** Returns the {@code path} of a pax header block, or null if it has none. */
    private static String paxPath(byte[] records) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static Path resolve(Path root, String name) throws IOException {
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new IOException("Tar entry '" + name + "' points outside " + root);
        }
        return path;
    }

    /** Resolves a file entry, which must name something below the root, not the root itself. */
    private static Path resolveFile(Path root, String name) throws IOException {
        Path path = resolve(root, name);
        if (path.equals(root)) {
            throw new IOException("Tar entry '" + name + "' is a file without a file name");
        }
        return path;
    }

    private static void writeFile(InputStream in, Path file, long size, long offset)
            throws IOException {
        Files.createDirectories(file.getParent());
        checkSpace(file, size, offset);
        try (OutputStream out = Files.newOutputStream(file)) {
            copy(in, out, size, offset);
        }
        skip(in, padded(size) - size, offset);
    }

    /**
     * Refuses an entry larger than the space left where it goes, before writing any of it: a
     * damaged or hostile size field (a gzip bomb) would otherwise fill the disk, then fail.
     */
    private static void checkSpace(Path file, long size, long offset) throws IOException {
        long free = Files.getFileStore(file.getParent()).getUsableSpace();
        if (size > free) {
            throw new IOException(
                    "Tar entry "
                            + file
                            + " at offset "
                            + offset
                            + " needs "
                            + size
                            + " bytes, more than the "
                            + free
                            + " bytes free there");
        }
    }

    private static byte[] readData(InputStream in, long size, long offset) throws IOException {
        if (size > Integer.MAX_VALUE - BLOCK) {
            throw new IOException("Tar header record too large at offset " + offset);
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("Truncated tar entry at offset " + offset);
        }
        skip(in, padded(size) - size, offset);
        return data;
    }

    private static void copy(InputStream in, OutputStream out, long size, long offset)
            throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("Truncated tar entry at offset " + offset);
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long bytes, long offset) throws IOException {
        try {
            in.skipNBytes(bytes);
        } catch (EOFException e) {
            throw new EOFException("Truncated tar entry at offset " + offset);
        }
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        return Arrays.copyOfRange(bytes, from, from + length);
    }

    private static String trimNul(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
