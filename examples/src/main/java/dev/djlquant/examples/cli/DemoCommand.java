package dev.djlquant.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import dev.djlquant.zoo.TorchScriptImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Quantizes a TorchScript model (the shared ResNet20 by default) and prints the reports. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Quantize a TorchScript model with a few schemes and print per-layer reports.")
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            description =
                    "TorchScript file (default: models/resnet20_cifar10.pt in ../shared beside the"
                            + " repository).")
    Path model = Locations.shared().resolve("models/resnet20_cifar10.pt");

    @Option(
            names = "--spec",
            split = ",",
            description = "Schemes to try (default: ${DEFAULT-VALUE}).")
    List<String> specs = List.of("int8@row", "fp8e4m3@row", "dt4@row", "seeddt3@lastaxis");

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("No model file at " + model.toAbsolutePath());
        }
        for (String spec : specs) {
            try (ZooModel<NDList, NDList> m = TorchScriptImport.open(model, true)) {
                QuantizationReport report = Quantizers.apply(m, QuantConfig.of(spec));
                System.out.println("## " + spec + "\n");
                System.out.println(report.toMarkdown());
            }
        }
        return 0;
    }
}
