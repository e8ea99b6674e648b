package dev.djlquant.benchmarks;

import java.util.List;

/** Renders rows of text cells as a Markdown table with aligned columns, readable as plain text. */
public final class MarkdownTable {

    private MarkdownTable() {}

    /** The table: a header row, a rule, then {@code rows}, each as long as {@code head}. */
    public static String render(String[] head, List<String[]> rows) {
        int[] width = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            width[c] = head[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, head, width);
        String[] rule = new String[head.length];
        for (int c = 0; c < head.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        appendRow(sb, rule, width);
        for (String[] row : rows) {
            appendRow(sb, row, width);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            sb.append(' ').append(cells[c]).append(" ".repeat(width[c] - cells[c].length()));
            sb.append(" |");
        }
        sb.append('\n');
    }
}
