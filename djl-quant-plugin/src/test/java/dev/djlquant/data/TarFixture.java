package dev.djlquant.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small tar.gz archives byte by byte, following the POSIX ustar and GNU tar layouts. */
final class TarFixture {

    private TarFixture() {}

    /** Writes the entries and the two end-of-archive blocks, gzip-compressed, into a new file. */
    static Path write(Path dir, byte[]... entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            tar.write(e);
        }
        tar.write(new byte[1024]);
        return gzip(dir, tar.toByteArray());
    }

    /** Gzip-compresses the bytes into a new file. */
    static Path gzip(Path dir, byte[] tar) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(tar);
        }
        return Files.write(
                Files.createTempFile(dir, "archive", ".tar.gz"), compressed.toByteArray());
    }

    /** One ustar header block followed by the content padded to 512 bytes. */
    static byte[] entry(String name, char type, byte[] content) {
        byte[] header = header(name, type);
        put(header, 124, String.format("%011o\0", content.length));
        return block(header, content);
    }

    /**
     * A file entry whose header declares {@code size} bytes in GNU's base-256 form, followed by
     * {@code content} (fewer bytes, as in a damaged or hostile archive).
     */
    static byte[] entryDeclaring(String name, long size, byte[] content) {
        byte[] header = header(name, '0');
        for (int i = 0; i < 8; i++) {
            header[135 - i] = (byte) (size >>> (8 * i));
        }
        header[124] = (byte) 0x80;
        return block(header, content);
    }

    /**
     * A file entry whose path is split between the header's 155-byte prefix field and its name
     * field, under the given magic: {@code "ustar\0" + "00"} (POSIX, where the prefix is part of
     * the path) or {@code "ustar \0"} (GNU, where those bytes mean something else).
     */
    static byte[] prefixedEntry(String magic, String prefix, String name, byte[] content) {
        byte[] header = header(name, '0');
        put(header, 124, String.format("%011o\0", content.length));
        put(header, 257, magic);
        put(header, 345, prefix);
        return block(header, content);
    }

    private static byte[] header(String name, char type) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644\0");
        put(header, 108, "0000000\0");
        put(header, 116, "0000000\0");
        put(header, 136, "00000000000\0");
        header[156] = (byte) type;
        put(header, 257, "ustar\0" + "00");
        return header;
    }

    /** The header with its checksum, then the content padded to 512 bytes. */
    private static byte[] block(byte[] header, byte[] content) {
        put(header, 148, "        ");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, String.format("%06o\0 ", sum));
        byte[] block = new byte[512 + (content.length + 511) / 512 * 512];
        System.arraycopy(header, 0, block, 0, 512);
        System.arraycopy(content, 0, block, 512, content.length);
        return block;
    }

    /** One pax extended-header record: "length key=value\n", length counting itself. */
    static byte[] paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int length = body.length() + 1;
        while (String.valueOf(length).length() + body.length() != length) {
            length++;
        }
        return bytes(length + body);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] b = bytes(text);
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
