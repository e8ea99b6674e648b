package dev.djlquant.zoo;

import dev.djlquant.data.ImageNormalization;
import dev.djlquant.zoo.CheckpointManifest.FileEntry;
import dev.djlquant.zoo.CheckpointManifest.Kind;
import dev.djlquant.zoo.CheckpointManifest.ParameterEntry;
import dev.djlquant.zoo.CheckpointManifest.TensorEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link CheckpointManifest} as Markdown for people: the per-layer table, the totals, the
 * files and what loading costs. Kept apart from the manifest so the data model holds no prose.
 */
final class ManifestMarkdown {

    private ManifestMarkdown() {}

    /** The text of {@link CheckpointManifest#toMarkdown()}. */
    static String render(CheckpointManifest m) {
        StringBuilder md = new StringBuilder();
        appendHeader(md, m);
        appendTensorTable(md, m);
        appendTotals(md, m);
        appendFileTable(md, m);
        md.append('\n').append(loadingCost(m)).append('\n');
        return md.toString();
    }

    private static void appendHeader(StringBuilder md, CheckpointManifest m) {
        md.append(
                String.format(
                        Locale.ROOT,
                        "Checkpoint format %s version %d, %s, written %s.%n",
                        m.format(),
                        m.formatVersion(),
                        m.kind() == Kind.DJL_NATIVE
                                ? "DJL-native architecture " + m.architecture()
                                : "TorchScript module",
                        m.created()));
        CheckpointManifest.Source source = m.source();
        if (source != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "Source: %s (%s bytes, sha256 %s)%s.%n",
                            source.path(),
                            source.bytes(),
                            source.sha256(),
                            source.description() == null ? "" : ", " + source.description()));
        }
        md.append("Config: ")
                .append(m.config())
                .append(". Loads in ")
                .append(m.mode())
                .append(" mode");
        md.append(m.dataset() == null ? "" : ", dataset " + m.dataset());
        ImageNormalization n = m.normalization();
        md.append(n == null ? "" : ", input normalization " + n.describe());
        md.append(".\n\n");
    }

    private static void appendTensorTable(StringBuilder md, CheckpointManifest m) {
        md.append("| parameter | shape | spec | values | groups | bits (code/nominal) | bytes |")
                .append(" study estimate | MAE | MSE | max error | SQNR dB | entropy bits |")
                .append(" exponents (0..K-1, zeros) | crc32 |\n");
        md.append("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (TensorEntry t : m.tensors()) {
            md.append(tensorRow(t));
        }
        md.append('\n');
    }

    private static String tensorRow(TensorEntry t) {
        return String.format(
                Locale.ROOT,
                "| %s | %s | %s | %d | %d | %d/%d | %d | %.1f | %s | %s | %s | %s | %s"
                        + " | %s | %s |%n",
                t.name(),
                Arrays.toString(t.shape()),
                t.spec(),
                t.values(),
                t.groups(),
                t.codeBits(),
                t.nominalBits(),
                t.storageBytes(),
                t.studyEstimateBytes(),
                sci(t.mae()),
                sci(t.mse()),
                sci(t.maxError()),
                sqnr(t),
                t.entropyBits() == null ? "-" : String.format(Locale.ROOT, "%.2f", t.entropyBits()),
                t.exponents() == null ? "" : Arrays.toString(t.exponents()) + ", " + t.zeros(),
                t.crc32());
    }

    private static void appendTotals(StringBuilder md, CheckpointManifest m) {
        if (!m.unquantized().isEmpty()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%d parameters kept unquantized: %d bytes (%s).%n",
                            m.unquantized().size(),
                            m.unquantizedBytes(),
                            summarize(m.unquantized())));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Packed %d bytes + unquantized %d bytes = %d bytes; files on disk %d bytes"
                                + " besides the manifest.%n",
                        m.packedBytes(),
                        m.unquantizedBytes(),
                        m.packedBytes() + m.unquantizedBytes(),
                        m.fileBytes()));
    }

    private static void appendFileTable(StringBuilder md, CheckpointManifest m) {
        md.append("\n| file | role | bytes | sha256 |\n|---|---|---:|---|\n");
        for (FileEntry f : m.files()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %s |%n",
                            f.name(),
                            f.role(),
                            f.bytes(),
                            f.sha256()));
        }
    }

    /** The text of {@link CheckpointManifest#loadingCost()}. */
    static String loadingCost(CheckpointManifest m) {
        if (m.kind() == Kind.TORCHSCRIPT) {
            CheckpointManifest.TorchScript torchscript = m.torchscript();
            return String.format(
                    Locale.ROOT,
                    "Loading costs the float weights: the TorchScript module is loaded with"
                            + " trainParam=true and the dequantized values are written into its"
                            + " parameters in place, so it holds %d bytes of weights in memory,"
                            + " not the %d packed bytes. The TorchScript file (%d bytes) is %s.",
                    torchscript.floatBytes(),
                    m.packedBytes(),
                    torchscript.bytes(),
                    torchscript.embedded()
                            ? "embedded as " + torchscript.file()
                            : "referenced at "
                                    + torchscript.file()
                                    + " and must still have sha256 "
                                    + torchscript.sha256());
        }
        if ("SIMULATE".equals(m.mode())) {
            return String.format(
                    Locale.ROOT,
                    "Loading dequantizes every weight once into float32 parameters: %d bytes of"
                            + " weights in memory.",
                    4 * m.tensors().stream().mapToLong(TensorEntry::values).sum()
                            + m.unquantizedBytes());
        }
        return String.format(
                Locale.ROOT,
                "Loading keeps the packed codes (%d bytes) and the unquantized parameters (%d"
                        + " bytes) in memory; each weight is dequantized when a forward needs it.",
                m.packedBytes(),
                m.unquantizedBytes());
    }

    /** Bytes per data type, in first-seen order, e.g. {@code float32 64, float16 8}. */
    private static String summarize(List<ParameterEntry> entries) {
        Map<String, Long> byType = new LinkedHashMap<>();
        for (ParameterEntry e : entries) {
            byType.merge(e.dtype(), e.bytes(), Long::sum);
        }
        List<String> parts = new ArrayList<>();
        byType.forEach((type, bytes) -> parts.add(type + " " + bytes));
        return String.join(", ", parts);
    }

    /** The SQNR; null is infinite where the error was measured, else "-" as the others. */
    private static String sqnr(TensorEntry t) {
        if (t.sqnrDb() != null) {
            return String.format(Locale.ROOT, "%.2f", t.sqnrDb());
        }
        return t.mae() == null ? "-" : "inf";
    }

    /** An error metric in scientific notation; null (not finite when written) shows as "-". */
    private static String sci(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3e", v);
    }
}
