package dev.djlquant.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a subset of the JMH benchmarks programmatically, all in one go so the ratios compare numbers
 * measured under the same conditions, and prints one side-by-side table: djl-quant's time per
 * operation, its ratio to {@code System.arraycopy} of the same floats, and the NDArray
 * composition's time with and without the Java/native transfer, as ratios to djl-quant's.
 *
 * <p>Options: {@code --forks N} (1), {@code --warmup N} (3), {@code --iterations N} (5), {@code
 * --time MS} per iteration (500), {@code --only REGEX} (schemes to run), {@code --no-ndarray},
 * {@code --no-check}, {@code --out FILE} (also write the table as Markdown). JMH's own output goes
 * to {@code jmh-compare.log} next to the benchmark classes ({@code benchmarks/target}), or to
 * {@code --log FILE}.
 */
public final class CompareRunner {

    /** Schemes measured on the large tensor, in table order: every one {@link QuantBench} has. */
    static final String[] LARGE_SPECS = QuantBench.specs();

    /** Schemes measured on the 64x64 tensor, for per-call overheads. */
    static final String[] SMALL_SPECS = {
        "int8@row",
        "fp8e4m3@row",
        "dt8@row",
        "dt4@row",
        "nf4@row",
        "seeddt8@lastaxis",
        "dt8@sorted4096"
    };

    /** Quantize targets as multiples of arraycopy (row-wise schemes from the issue). */
    private static final Map<String, Double> QUANTIZE_TARGET = new LinkedHashMap<>();

    static {
        QUANTIZE_TARGET.put("int8@row", 3.0);
        QUANTIZE_TARGET.put("fp8e4m3@row", 3.0);
        QUANTIZE_TARGET.put("dt8@row", 3.0);
        QUANTIZE_TARGET.put("dt4@row", 4.0);
        QUANTIZE_TARGET.put("dt3@row", 4.0);
    }

    private static final double DEQUANTIZE_TARGET = 2.0;
    private static final double NDARRAY_TARGET = 5.0;

    /** The cores the parallel kernel can use; CPU time divided by this estimates idle wall time. */
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final int forks;
    private final int warmup;
    private final int iterations;
    private final int timeMs;
    private final Path log;
    private final PrintStream progress;

    private CompareRunner(
            int forks, int warmup, int iterations, int timeMs, Path log, PrintStream progress) {
        this.forks = forks;
        this.warmup = warmup;
        this.iterations = iterations;
        this.timeMs = timeMs;
        this.log = log;
        this.progress = progress;
    }

    /**
     * One measured score: wall ms/op with its 99.9% confidence half-width, and CPU ms/op summed
     * over the JVM's Java threads (NaN where not measured).
     */
    private static final class Score {
        final double ms;
        final double error;
        final double cpu;

        Score(double ms, double error, double cpu) {
            this.ms = ms;
            this.error = error;
            this.cpu = cpu;
        }

        @Override
        public String toString() {
            if (Double.isNaN(error)) {
                return fmt(ms);
            }
            return fmt(ms) + " ± " + fmt(error);
        }
    }

    public static void main(String[] args) throws Exception {
        // DJL logs engine details and a CUDA probe warning at start-up; keep the output to the
        // table.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("CompareRunner: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        CompareRunner runner =
                new CompareRunner(
                        Integer.parseInt(opts.getOrDefault("forks", "1")),
                        Integer.parseInt(opts.getOrDefault("warmup", "3")),
                        Integer.parseInt(opts.getOrDefault("iterations", "5")),
                        Integer.parseInt(opts.getOrDefault("time", "500")),
                        opts.containsKey("log") ? Paths.get(opts.get("log")) : defaultLog(),
                        System.out);
        Pattern only = Pattern.compile(opts.getOrDefault("only", ".*"));
        boolean ndarray = !opts.containsKey("no-ndarray");
        StringBuilder report = new StringBuilder(header(runner));
        System.out.println(report);
        if (ndarray && !opts.containsKey("no-check")) {
            String check = CompositionCheck.run(only);
            System.out.println(check);
            report.append(check).append('\n');
        }
        String table = runner.runAll(only, ndarray);
        String end =
                "load average at the end: "
                        + String.format(Locale.ROOT, "%.2f", Machine.loadAverage());
        System.out.println();
        System.out.println(table);
        System.out.println(end);
        report.append('\n').append(table).append('\n').append(end).append('\n');
        if (opts.containsKey("out")) {
            Files.writeString(Paths.get(opts.get("out")), report, StandardCharsets.UTF_8);
        }
    }

    /**
     * The kernel-level ratios of {@code djlq bench}, measured on the large tensor in one go: for
     * each scheme and operation, djl-quant's wall time and its CPU time spread over the cores
     * against {@code System.arraycopy}, and the resident NDArray composition's time against
     * djl-quant's (for the schemes it exists for), each with the target where it has one.
     *
     * @param specs schemes, e.g. the row-wise ones
     * @param warmup JMH warm-up iterations
     * @param iterations JMH measured iterations
     * @param timeMs time per iteration
     * @param progress where to print each measurement as it is made
     */
    public static List<RatioRow> kernelRatios(
            List<String> specs, int warmup, int iterations, int timeMs, PrintStream progress)
            throws RunnerException, IOException {
        CompareRunner runner =
                new CompareRunner(1, warmup, iterations, timeMs, defaultLog(), progress);
        runner.resetLog();
        // The NDArray rows compare timings of the same math only if it is the same math.
        progress.println(
                CompositionCheck.run(
                        Pattern.compile(
                                specs.stream()
                                        .map(Pattern::quote)
                                        .collect(Collectors.joining("|")))));
        String shape = Weights.LARGE;
        Score copy = runner.run(CopyBench.class, "arraycopy", null, shape, "arraycopy");
        List<RatioRow> rows = new ArrayList<>();
        for (String spec : specs) {
            for (String op : new String[] {"quantize", "dequantize"}) {
                Score ours = runner.run(QuantBench.class, op, spec, shape, spec + " " + op);
                double limit = copyLimit(spec, op);
                String subject = spec + " " + op + " " + shape;
                String value = fmt(ours.ms) + " ms (CPU " + fmt(ours.cpu) + ")";
                String base = fmt(copy.ms) + " ms (CPU " + fmt(copy.cpu) + ")";
                rows.add(
                        new RatioRow(
                                "kernel",
                                subject,
                                "wall / arraycopy",
                                value,
                                base,
                                ours.ms / copy.ms,
                                limit,
                                true));
                rows.add(
                        new RatioRow(
                                "kernel",
                                subject,
                                "(CPU/" + CORES + ") / arraycopy CPU",
                                value,
                                base,
                                ours.cpu / CORES / copy.cpu,
                                limit,
                                true));
                if (Arrays.asList(NdComposition.SPECS).contains(spec)) {
                    Score nd =
                            runner.run(NdArrayBench.class, op + "Resident", spec, shape, "NDArray");
                    rows.add(
                            new RatioRow(
                                    "kernel",
                                    subject,
                                    "NDArray / djl-quant (wall)",
                                    fmt(ours.ms) + " ms",
                                    fmt(nd.ms) + " ms (NDArray)",
                                    nd.ms / ours.ms,
                                    NDARRAY_TARGET,
                                    false));
                }
            }
        }
        return rows;
    }

    /** {@code jmh-compare.log} in the directory that holds the benchmark classes' directory. */
    private static Path defaultLog() {
        try {
            Path classes =
                    Paths.get(
                            CompareRunner.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return classes.toAbsolutePath().getParent().resolve("jmh-compare.log");
        } catch (Exception e) {
            return Paths.get("jmh-compare.log");
        }
    }

    /** The options {@link #main} reads; any other is refused rather than silently ignored. */
    private static final Set<String> OPTIONS =
            Set.of(
                    "forks",
                    "warmup",
                    "iterations",
                    "time",
                    "log",
                    "only",
                    "out",
                    "no-ndarray",
                    "no-check");

    private static final String USAGE =
            "usage: CompareRunner [--only REGEX] [--forks N] [--warmup N] [--iterations N]"
                    + " [--time MS] [--log FILE] [--out FILE] [--no-ndarray] [--no-check]";

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("Unknown option " + args[i]);
            }
            if (key.startsWith("no-")) {
                opts.put(key, "true");
            } else if (i + 1 < args.length) {
                opts.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return opts;
    }

    private static String header(CompareRunner r) {
        return String.format(
                Locale.ROOT,
                "djl-quant CompareRunner, %s%n"
                        + "machine: %s, load average at start %.2f%n"
                        + "JMH: %d fork(s), %d warmup + %d measured iterations of %d ms;"
                        + " ms/op, mean ± 99.9%% CI half-width%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16),
                Machine.describe(),
                Machine.loadAverage(),
                r.forks,
                r.warmup,
                r.iterations,
                r.timeMs);
    }

    private String runAll(Pattern only, boolean ndarray) throws RunnerException, IOException {
        resetLog();
        List<String[]> rows = new ArrayList<>();
        for (String shape : new String[] {Weights.LARGE, Weights.SMALL}) {
            Score copy = run(CopyBench.class, "arraycopy", null, shape, "arraycopy");
            rows.add(
                    new String[] {
                        "(arraycopy)",
                        shape,
                        "copy",
                        copy.toString(),
                        fmt(copy.cpu),
                        "1.00",
                        "1.00",
                        "",
                        "",
                        "",
                        "",
                        ""
                    });
            String[] specs = shape.equals(Weights.LARGE) ? LARGE_SPECS : SMALL_SPECS;
            for (String spec : specs) {
                if (!only.matcher(spec).matches()) {
                    continue;
                }
                boolean composed =
                        ndarray
                                && shape.equals(Weights.LARGE)
                                && Arrays.asList(NdComposition.SPECS).contains(spec);
                for (String op : new String[] {"quantize", "dequantize"}) {
                    Score ours = run(QuantBench.class, op, spec, shape, spec + " " + op);
                    Score nd = null;
                    Score ndTransfer = null;
                    if (composed) {
                        nd = run(NdArrayBench.class, op + "Resident", spec, shape, "NDArray");
                        ndTransfer =
                                run(
                                        NdArrayBench.class,
                                        op + "WithTransfer",
                                        spec,
                                        shape,
                                        "NDArray+transfer");
                    }
                    double wallRatio = ours.ms / copy.ms;
                    double cpuRatio = ours.cpu / CORES / copy.cpu;
                    boolean judged = shape.equals(Weights.LARGE);
                    String verdict = judged ? verdict(spec, op, wallRatio, cpuRatio, nd, ours) : "";
                    double copyLimit = judged ? copyLimit(spec, op) : Double.NaN;
                    rows.add(
                            new String[] {
                                spec,
                                shape,
                                op,
                                ours.toString(),
                                fmt(ours.cpu),
                                RatioRow.ratioText(wallRatio, copyLimit),
                                RatioRow.ratioText(cpuRatio, copyLimit),
                                nd == null ? "" : nd.toString(),
                                nd == null
                                        ? ""
                                        : RatioRow.ratioText(nd.ms / ours.ms, NDARRAY_TARGET),
                                ndTransfer == null ? "" : ndTransfer.toString(),
                                ndTransfer == null ? "" : ratio(ndTransfer.ms / ours.ms),
                                verdict
                            });
                }
            }
        }
        return markdown(rows);
    }

    /** The limit of {@code spec}'s {@code op} as a multiple of arraycopy, NaN if it has none. */
    private static double copyLimit(String spec, String op) {
        if (op.equals("quantize")) {
            return QUANTIZE_TARGET.getOrDefault(spec, Double.NaN);
        }
        return QUANTIZE_TARGET.containsKey(spec) ? DEQUANTIZE_TARGET : Double.NaN;
    }

    /**
     * The targets for this row, or "" if none apply: the ratio to arraycopy on wall time
     * and on CPU time spread over the cores, and the speed-up over the resident NDArray
     * composition.
     */
    private static String verdict(
            String spec, String op, double wallRatio, double cpuRatio, Score nd, Score ours) {
        double limit = copyLimit(spec, op);
        if (Double.isNaN(limit)) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        parts.add(
                "≤"
                        + (int) limit
                        + "x copy: wall "
                        + RatioRow.verdict(wallRatio, limit, true)
                        + ", CPU/"
                        + CORES
                        + " "
                        + RatioRow.verdict(cpuRatio, limit, true));
        if (nd != null) {
            parts.add(
                    "≥"
                            + (int) NDARRAY_TARGET
                            + "x faster than NDArray: "
                            + RatioRow.verdict(nd.ms / ours.ms, NDARRAY_TARGET, false));
        }
        return String.join("; ", parts);
    }

    private Score run(Class<?> bench, String method, String spec, String shape, String label)
            throws RunnerException {
        OptionsBuilder b = new OptionsBuilder();
        b.include("^" + Pattern.quote(bench.getName() + "." + method) + "$")
                .param("shape", shape)
                .forks(forks)
                .warmupIterations(warmup)
                .measurementIterations(iterations)
                .warmupTime(TimeValue.milliseconds(timeMs))
                .measurementTime(TimeValue.milliseconds(timeMs))
                .jvmArgsAppend(
                        Weights.HEAP_MIN,
                        Weights.HEAP_MAX,
                        Weights.PRE_TOUCH,
                        Weights.OFFLINE,
                        Weights.QUIET)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .output(part().toString());
        if (spec != null) {
            b.param("spec", spec);
        }
        if (bench != NdArrayBench.class) {
            b.addProfiler(CpuTimeProfiler.class);
        }
        Options options = b.build();
        Collection<RunResult> results;
        try {
            ChildProcesses.stopOnExit();
            results = new Runner(options).run();
        } finally {
            appendLog();
        }
        if (results.isEmpty()) {
            throw new IllegalStateException(
                    "JMH ran nothing for " + bench.getSimpleName() + "." + method);
        }
        RunResult result = results.iterator().next();
        Result<?> r = result.getPrimaryResult();
        Result<?> cpu = result.getSecondaryResults().get(CpuTimeProfiler.LABEL);
        double cpuMs = cpu == null ? Double.NaN : cpu.getScore();
        Score score = new Score(r.getScore(), r.getScoreError(), cpuMs);
        progress.printf(
                Locale.ROOT,
                "  %-10s %-32s %s ms/op%s%n",
                shape,
                label,
                score,
                cpu == null ? "" : " (CPU " + fmt(cpuMs) + " ms/op)");
        return score;
    }

    /** Starts the log that collects JMH's output of every benchmark of this runner. */
    private void resetLog() throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
    }

    /** JMH's output file for the current run; it truncates the file on every run. */
    private Path part() {
        return Paths.get(log + ".part");
    }

    /** Appends the current run's JMH output to the log that keeps all of them. */
    private void appendLog() {
        try {
            if (Files.exists(part())) {
                Files.write(
                        log,
                        Files.readAllBytes(part()),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                Files.delete(part());
            }
        } catch (IOException e) {
            System.err.println("could not append to " + log + ": " + e);
        }
    }

    private static String markdown(List<String[]> rows) {
        String[] head = {
            "scheme",
            "shape",
            "op",
            "djl-quant ms/op (wall)",
            "CPU ms/op",
            "wall / copy",
            "(CPU/" + CORES + ") / copy CPU",
            "NDArray ms/op",
            "NDArray / djl-quant",
            "NDArray+transfer ms/op",
            "(NDArray+transfer) / djl-quant",
            "targets"
        };
        return MarkdownTable.render(head, rows);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r);
    }

    /** Four significant digits, plain notation. */
    static String fmt(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        int digits = Math.max(0, 3 - (int) Math.floor(Math.log10(Math.abs(v))));
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
