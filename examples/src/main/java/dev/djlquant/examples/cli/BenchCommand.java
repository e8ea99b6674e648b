package dev.djlquant.examples.cli;

import dev.djlquant.benchmarks.CompareRunner;
import dev.djlquant.benchmarks.LinearComparison;
import dev.djlquant.benchmarks.Machine;
import dev.djlquant.benchmarks.MarkdownTable;
import dev.djlquant.benchmarks.ModelBench;
import dev.djlquant.benchmarks.RatioRow;
import dev.djlquant.benchmarks.StudyPythonComparison;
import dev.djlquant.benchmarks.TorchComparison;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.pack.CodeKernel;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures djl-quant against its baselines and prints one table of ratios with their targets: the
 * kernels (JMH, quantize and dequantize of a 4096 x 9216 tensor against arraycopy and the NDArray
 * composition; a batch-1 linear layer from packed codes against the engine's float32 product) and
 * the models (apply, COMPRESSED forward and resident memory on the shared AlexNet/VGG16 weights).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Speed and memory of djl-quant as ratios to their baselines, each with its target:"
                    + " quantize/dequantize kernels vs System.arraycopy and vs the same arithmetic"
                    + " as DJL NDArray operations (JMH), a batch-1 linear layer from packed codes vs"
                    + " the engine's float32 product, Quantizers.apply vs reading and writing"
                    + " every parameter, COMPRESSED vs float32 forward latency (with floor rows:"
                    + " the quantize kernel alone, the restore of the convolution weights alone),"
                    + " and COMPRESSED resident weight memory vs the packed size; where a Python 3"
                    + " is installed (-Ddjlq.python, default /usr/bin/python3), the study's own"
                    + " per-value FP8"
                    + " and dynamic-tree arithmetic in Python and, with torch, PyTorch's own int8"
                    + " per-channel quantization side by side. Progress goes to stderr, the"
                    + " table to stdout."
        },
        footer = {
            "",
            "Examples:",
            "  djlq bench                          # quick: 2-3 min on 2 cores (longer when"
                    + " DJL's NDArray baselines run slow)",
            "  djlq bench --full --out bench.md    # JMH defaults, 7 timed runs per model row",
            "  djlq bench --model vgg16 --skip-kernel",
            "  djlq bench --skip-kernel --torch-threads 1   # model rows with one libtorch thread",
            "",
            "Exit codes: 0 measured (whether or not targets were met), 1 the job failed,"
                    + " 2 the command line was wrong."
        })
final class BenchCommand implements Callable<Integer> {

    private static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";

    /** Row-wise schemes with kernel targets, as in the issue. */
    static final List<String> KERNEL_SPECS =
            List.of("int8@row", "fp8e4m3@row", "dt8@row", "dt4@row", "dt3@row");

    @Spec CommandSpec spec;

    /** Quick (default) or full. */
    static final class Extent {
        @Option(
                names = "--quick",
                description =
                        "Short measurements (default): JMH 1 warm-up + 3 iterations of 300 ms,"
                                + " 2 warm-up + 5 timed runs per model row, 3 schemes.")
        boolean quick;

        @Option(
                names = "--full",
                description =
                        "JMH 3 warm-up + 5 iterations of 500 ms, 2 warm-up + 7 timed runs per"
                                + " model row, the 5 row-wise schemes.")
        boolean full;
    }

    @ArgGroup(exclusive = true)
    Extent extent;

    @Option(
            names = "--model",
            paramLabel = "<alexnet|vgg16|all>",
            description = "Models for the model-level rows (default: ${DEFAULT-VALUE}).")
    String model = "all";

    @Option(
            names = "--shared",
            paramLabel = "<dir>",
            description =
                    "The shared models (default: ../shared beside the repository; system property"
                            + " djlq.shared).")
    Path shared;

    @Option(names = "--skip-kernel", description = "Leave out the JMH kernel rows.")
    boolean skipKernel;

    @Option(
            names = "--skip-model",
            description =
                    "Leave out the model-level rows. With --skip-kernel: only the header (machine,"
                            + " threads, wait policy) and an empty table.")
    boolean skipModel;

    @Option(
            names = "--out",
            paramLabel = "<file>",
            description = "Also write the table (with its header) as Markdown.")
    Path out;

    @Option(
            names = "--torch-threads",
            paramLabel = "<n>",
            description =
                    "libtorch intra-op threads for the engine's work in this JVM: the model rows,"
                            + " float32 and quantized alike, and the float32 product of the"
                            + " batch-1 linear-layer rows (DJL's ai.djl.pytorch.num_threads;"
                            + " default: DJL's, one per core). JMH's forks keep the default. One"
                            + " thread suits small batches of COMPRESSED models.")
    Integer torchThreads;

    @Override
    public Integer call() throws Exception {
        if (torchThreads != null) {
            if (torchThreads < 1) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--torch-threads must be 1 or more, got " + torchThreads);
            }
            // Read by DJL's PyTorch engine when it starts, which is after this point.
            System.setProperty(TORCH_THREADS, String.valueOf(torchThreads));
        }
        List<String> models = models();
        if (out != null) {
            checkOut();
        }
        Path sharedDir = shared != null ? shared : Locations.shared();
        for (String m : skipModel ? List.<String>of() : models) {
            Path file = ModelBench.sharedModel(sharedDir, m);
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "no shared model (--shared?)");
            }
        }
        boolean full = extent != null && extent.full;
        PrintStream progress = System.err;
        String header = header(full);
        progress.print(header);
        List<RatioRow> rows = new ArrayList<>();
        if (!skipKernel) {
            rows.addAll(
                    full
                            ? CompareRunner.kernelRatios(KERNEL_SPECS, 3, 5, 500, progress)
                            : CompareRunner.kernelRatios(KERNEL_SPECS, 1, 3, 300, progress));
            rows.addAll(TorchComparison.ratios(full ? 10 : 5, progress));
            rows.addAll(StudyPythonComparison.ratios(full ? 5 : 3, progress));
            rows.addAll(
                    full
                            ? LinearComparison.ratios(20, 100, progress)
                            : LinearComparison.ratios(10, 30, progress));
        }
        ModelBench bench =
                new ModelBench(
                        full ? ModelBench.Settings.full() : ModelBench.Settings.quick(), progress);
        for (String m : skipModel ? List.<String>of() : models) {
            rows.addAll(bench.run(sharedDir, m));
        }
        String report =
                header
                        + String.format(
                                Locale.ROOT,
                                "load average at the end: %.2f%n%n",
                                Machine.loadAverage())
                        + MarkdownTable.render(
                                RatioRow.HEADER, rows.stream().map(RatioRow::cells).toList());
        PrintWriter w = spec.commandLine().getOut();
        w.print(report);
        w.flush();
        if (out != null) {
            AtomicFiles.writeFile(out, report.getBytes(StandardCharsets.UTF_8));
        }
        return 0;
    }

    /** Refuses an --out that the table could not be written to, before the minutes of timing. */
    private void checkOut() {
        Path target = out.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a directory");
        }
        if (target.getFileName().toString().getBytes(StandardCharsets.UTF_8).length
                > AtomicFiles.NAME_MAX) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--out "
                            + out
                            + ": its name is longer than the "
                            + AtomicFiles.NAME_MAX
                            + " bytes a file name may have");
        }
        UsageChecks.requireWritableUnder(spec.commandLine(), out, target.getParent());
    }

    private List<String> models() {
        // Case does not matter, as for study's model names.
        String name = model.trim().toLowerCase(Locale.ROOT);
        if (name.equals("all")) {
            return ModelBench.MODELS;
        }
        if (!ModelBench.MODELS.contains(name)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Unknown --model '" + model + "'; valid: alexnet, vgg16, all");
        }
        return List.of(name);
    }

    private static String header(boolean full) {
        String threads = System.getProperty(TORCH_THREADS);
        return String.format(
                Locale.ROOT,
                "djlq bench%s, %s%nmachine: %s, load average at the start %.2f%n"
                        + "libtorch intra-op threads: %s; GOMP_SPINCOUNT: %s; OMP_WAIT_POLICY: %s;"
                        + " batch-1 linear kernels: %s%n",
                full ? " --full" : " (quick)",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16),
                Machine.describe(),
                Machine.loadAverage(),
                threads == null ? "DJL's default" : threads + " (" + TORCH_THREADS + ")",
                // How long libgomp's idle workers spin, taking a core from the Java kernels that
                // run between engine operations (README, "Speed"); ./djlq sets a short spin.
                Objects.requireNonNullElse(
                        System.getenv("GOMP_SPINCOUNT"), "unset (libgomp's default)"),
                Objects.requireNonNullElse(System.getenv("OMP_WAIT_POLICY"), "unset"),
                CodeKernel.vectorized()
                        ? "Vector API (jdk.incubator.vector)"
                        : "scalar (no jdk.incubator.vector)");
    }
}
