package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownTableTest {

    @Test
    void padsEveryColumnToItsWidestCell() {
        String table =
                MarkdownTable.render(
                        new String[] {"a", "ratio"},
                        List.of(new String[] {"longer", "1.5"}, new String[] {"b", ""}));
        assertThat(table)
                .isEqualTo(
                        "| a      | ratio |\n"
                                + "| ------ | ----- |\n"
                                + "| longer | 1.5   |\n"
                                + "| b      |       |\n");
    }

    @Test
    void anEmptyTableIsItsHeader() {
        assertThat(MarkdownTable.render(new String[] {"x"}, List.of())).isEqualTo("| x |\n| - |\n");
    }
}
