package dev.djlquant.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Quantizes a TorchScript model (the shared ResNet20 by default) and prints the reports. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Quantize a TorchScript model with a few schemes and print per-layer reports.")
final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            description =
                    "TorchScript file (default: models/resnet20_cifar10.pt in ../shared beside the"
                            + " repository).")
    Path model = Locations.shared().resolve("models/resnet20_cifar10.pt");

    @Option(
            names = "--spec",
            split = ",",
            converter = SpecConverter.class,
            description = "Schemes to try (default: ${DEFAULT-VALUE}).")
    List<Quantizer> specs =
            List.of(
                    Quantizer.parse("int8@row"),
                    Quantizer.parse("fp8e4m3@row"),
                    Quantizer.parse("dt4@row"),
                    Quantizer.parse("seeddt3@lastaxis"));

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            // A usage error (exit code 2), as for quantize and eval.
            throw new ParameterException(
                    spec.commandLine(),
                    Files.isDirectory(model)
                            ? model.toAbsolutePath()
                                    + " is a directory; demo takes a TorchScript file"
                            : "No model file at " + model.toAbsolutePath());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Quantizer quantizer : specs) {
            try (ZooModel<NDList, NDList> m = TorchScriptImport.open(model, true)) {
                QuantizationReport report =
                        Quantizers.apply(m, QuantConfig.builder().setScheme(quantizer).build());
                out.println("## " + quantizer.spec() + "\n");
                out.println(report.toMarkdown());
                out.flush();
            }
        }
        return 0;
    }
}
