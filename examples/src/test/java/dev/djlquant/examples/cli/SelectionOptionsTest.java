package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --override <regex>=<spec>}: a regex may itself hold '=', a spec never does. */
class SelectionOptionsTest {

    @Test
    void anOverrideSplitsAtItsLastEqualsSign() {
        SelectionOptions options = new SelectionOptions();
        options.overrides = List.of("conv(?=1)=int4@row", "Linear=dt8");
        QuantConfig config =
                options.config(
                                Quantizer.parse("int8@row"),
                                new CommandLine(new QuantizeCommand()).getCommandSpec())
                        .build();
        assertThat(config.overrides().entrySet())
                .extracting(e -> Map.entry(e.getKey().pattern(), e.getValue().spec()))
                .containsExactly(
                        Map.entry("conv(?=1)", "int4@row"), Map.entry("Linear", "dt8@row"));
    }

    @Test
    void aBadOverrideIsNamedWithItsOption() {
        for (String bad : List.of("conv=foo", "conv(=int8@row")) {
            SelectionOptions options = new SelectionOptions();
            options.overrides = List.of(bad);
            assertThatThrownBy(
                            () ->
                                    options.config(
                                            Quantizer.parse("int8@row"),
                                            new CommandLine(new QuantizeCommand())
                                                    .getCommandSpec()))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageStartingWith("--override '" + bad + "': ");
        }
    }
}
