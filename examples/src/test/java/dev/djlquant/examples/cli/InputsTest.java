package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.examples.cli.Inputs.ModelKind;
import dev.djlquant.examples.cli.Inputs.ModelPath;
import dev.djlquant.zoo.CheckpointException;
import dev.djlquant.zoo.CheckpointManifest;
import dev.djlquant.zoo.CheckpointWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What a {@code --model} path is taken for, from the files it holds (none of them read as models).
 */
class InputsTest {

    @TempDir Path tmp;

    private final CommandSpec spec = new CommandLine(new QuantizeCommand()).getCommandSpec();

    private Path dir(String name, String... files) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : files) {
            Files.writeString(dir.resolve(f), f);
        }
        return dir;
    }

    @Test
    void aDirectoryIsACheckpointATorchScriptOrADjlModelByItsFiles() throws Exception {
        Path checkpoint = dir("ck", CheckpointManifest.FILE_NAME, "model.pt");
        assertThat(Inputs.model(spec, checkpoint))
                .isEqualTo(new ModelPath(ModelKind.CHECKPOINT, checkpoint));
        Path ts = dir("ts", "model.pt", "notes.txt");
        assertThat(Inputs.model(spec, ts))
                .isEqualTo(new ModelPath(ModelKind.TORCHSCRIPT, ts.resolve("model.pt")));
        assertThat(Inputs.model(spec, ts.resolve("model.pt")))
                .isEqualTo(new ModelPath(ModelKind.TORCHSCRIPT, ts.resolve("model.pt")));
        // Two TorchScript files are ambiguous: only the .params file decides.
        Path djl = dir("djl", "a.pt", "b.pt", "m-0000.params");
        assertThat(Inputs.model(spec, djl)).isEqualTo(new ModelPath(ModelKind.DJL_DIRECTORY, djl));
        Path two = dir("two", "a.pt", "b.pt", "readme.txt");
        assertThatThrownBy(() -> Inputs.model(spec, two))
                .isInstanceOf(ParameterException.class)
                .hasMessage(
                        "Directory " + two + " holds 2 TorchScript .pt files; give the one to use");
        assertThatThrownBy(() -> Inputs.model(spec, dir("none", "readme.txt")))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining(
                        "holds no djlq checkpoint (manifest.json), single"
                                + " TorchScript .pt file or DJL .params file");
    }

    @Test
    void otherPathsAreRefusedWithWhatTheyAre() throws Exception {
        Path bin = Files.writeString(tmp.resolve("weights.bin"), "x");
        assertThatThrownBy(() -> Inputs.model(spec, bin))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Model file " + bin + " is not a TorchScript .pt file");
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> Inputs.model(spec, missing))
                .isInstanceOf(ParameterException.class)
                .hasMessage("No model at " + missing);
        // A checkpoint whose manifest was lost is not taken for the TorchScript model it holds.
        Path lost = dir("lost", "model.pt");
        Files.writeString(
                lost.resolve(CheckpointWriter.SERVING_FILE),
                "translatorFactory=dev.djlquant.zoo.CheckpointBlockFactory");
        assertThatThrownBy(() -> Inputs.model(spec, lost))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a djlq checkpoint");
    }

    @Test
    void theParameterFileIsTheHighestEpochOfTheOneModel() throws Exception {
        Path djl = dir("djl", "m-0000.params", "m-0002.params", "m-0001.params", "m.txt");
        assertThat(Inputs.parameterFile(djl)).isEqualTo(djl.resolve("m-0002.params"));
        Path two = dir("two", "m-0000.params", "other-0003.params");
        assertThatThrownBy(() -> Inputs.parameterFile(two))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Expected the .params files of one model in " + two)
                .hasMessageMatching("(?s).*found the model names \\[(m, other|other, m)\\]");
        // Not named <model>-NNNN.params: a DJL directory by its suffix, but no model name.
        Path unnamed = dir("unnamed", "weights.params");
        assertThat(Inputs.model(spec, unnamed).kind()).isEqualTo(ModelKind.DJL_DIRECTORY);
        assertThatThrownBy(() -> Inputs.parameterFile(unnamed))
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("found the model names []");
    }
}
