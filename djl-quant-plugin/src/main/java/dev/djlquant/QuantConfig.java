package dev.djlquant;

import ai.djl.nn.Parameter;
import ai.djl.util.Progress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which parameters of a model to quantize, with which scheme, and how. By default every {@code
 * WEIGHT} parameter with two or more dimensions (conv and linear weights) gets the default scheme;
 * biases, norm parameters and running statistics stay float32. Regexes are searched in the
 * parameter name ({@code find}, not a full match). Immutable.
 */
public final class QuantConfig {

    /** How quantized weights are held. */
    public enum Mode {
        /** Dequantized values are written into the existing parameter arrays, in place. */
        SIMULATE,
        /**
         * Only packed codes and scales are kept; weights are dequantized when a forward needs them.
         * The float weights are released: close the model's {@code Trainer} first, since its {@code
         * close()} reads them.
         */
        COMPRESSED,
        /**
         * Quantization-aware training: float weights are kept and trained; every forward sees them
         * quantized, and gradients pass straight through ({@code q(w) + (w - stopGradient(w))}).
         */
        QAT
    }

    private final Quantizer scheme;
    private final Mode mode;
    private final List<Pattern> includes;
    private final List<Pattern> excludes;
    private final Map<Pattern, Quantizer> overrides;
    private final boolean statistics;
    private final Progress progress;

    private QuantConfig(Builder b) {
        this.scheme = Objects.requireNonNull(b.scheme, "QuantConfig needs a default scheme");
        this.mode = b.mode;
        this.includes = Collections.unmodifiableList(new ArrayList<>(b.includes));
        this.excludes = Collections.unmodifiableList(new ArrayList<>(b.excludes));
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.overrides));
        this.statistics = b.statistics;
        this.progress = b.progress;
    }

    /**
     * The default selection with one scheme in {@link Mode#SIMULATE} mode.
     *
     * @param spec the scheme's spec, such as {@code dt4@row}
     * @return the config
     * @throws IllegalArgumentException if {@code spec} does not parse ({@link Quantizer#parse})
     */
    public static QuantConfig of(String spec) {
        return builder().setScheme(spec).build();
    }

    /**
     * Returns a builder; a default scheme is required.
     *
     * @return a new builder, in {@link Mode#SIMULATE} mode with no regexes
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this config's scheme, selection, mode, statistics setting and
     * progress.
     *
     * @return a new builder; changing it leaves this config as it is
     */
    public Builder toBuilder() {
        Builder b = builder().setScheme(scheme).optMode(mode).optStatistics(statistics);
        b.progress = progress;
        b.includes.addAll(includes);
        b.excludes.addAll(excludes);
        b.overrides.putAll(overrides);
        return b;
    }

    /**
     * Returns the default scheme.
     *
     * @return the scheme of every selected parameter that no override matches
     */
    public Quantizer scheme() {
        return scheme;
    }

    /**
     * Returns the mode.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns whether apply measures each weight's error and code usage for the report.
     *
     * @return true unless {@link Builder#optStatistics} turned it off
     */
    public boolean statistics() {
        return statistics;
    }

    /**
     * Returns where apply reports its progress.
     *
     * @return the progress set by {@link Builder#optProgress}, or empty
     */
    public Optional<Progress> progress() {
        return Optional.ofNullable(progress);
    }

    /**
     * Returns the include regexes (empty: the default selection).
     *
     * @return the include regexes in the order added, unmodifiable
     */
    public List<Pattern> includes() {
        return includes;
    }

    /**
     * Returns the exclude regexes.
     *
     * @return the exclude regexes in the order added, unmodifiable
     */
    public List<Pattern> excludes() {
        return excludes;
    }

    /**
     * Returns the per-regex scheme overrides, first match wins.
     *
     * @return the regexes and their schemes in the order added, unmodifiable
     */
    public Map<Pattern, Quantizer> overrides() {
        return overrides;
    }

    /**
     * Returns the scheme for a parameter, or empty when it stays as it is: included by a regex (or,
     * without includes, a WEIGHT of two or more dimensions), not excluded, first matching override
     * else the default.
     *
     * @param name the parameter's name, which the regexes are searched in
     * @param parameter the parameter; its type and number of dimensions decide when there are no
     *     includes
     * @return the scheme, or empty if the parameter is not selected or is excluded
     */
    public Optional<Quantizer> schemeFor(String name, Parameter parameter) {
        boolean selected =
                includes.isEmpty()
                        ? parameter.getType() == Parameter.Type.WEIGHT && dims(parameter) >= 2
                        : includes.stream().anyMatch(p -> p.matcher(name).find());
        if (!selected || excludes.stream().anyMatch(p -> p.matcher(name).find())) {
            return Optional.empty();
        }
        for (Map.Entry<Pattern, Quantizer> e : overrides.entrySet()) {
            if (e.getKey().matcher(name).find()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.of(scheme);
    }

    private static int dims(Parameter parameter) {
        if (parameter.isInitialized()) {
            return parameter.getArray().getShape().dimension();
        }
        return parameter.getShape() == null ? 0 : parameter.getShape().dimension();
    }

    /** Every regex of this config, for reporting those that matched no parameter. */
    List<Pattern> allPatterns() {
        List<Pattern> all = new ArrayList<>(includes);
        all.addAll(excludes);
        all.addAll(overrides.keySet());
        return all;
    }

    @Override
    public String toString() {
        return "QuantConfig{scheme="
                + scheme
                + ", mode="
                + mode
                + ", includes="
                + includes
                + ", excludes="
                + excludes
                + ", overrides="
                + overrides
                + (statistics ? "" : ", statistics=false")
                + "}";
    }

    /**
     * Builds a {@link QuantConfig}, named as DJL's builders are: {@code set} for the required
     * default scheme, {@code opt} for the mode, {@code add} for regexes that accumulate.
     */
    public static final class Builder {
        private Quantizer scheme;
        private Mode mode = Mode.SIMULATE;
        private final List<Pattern> includes = new ArrayList<>();
        private final List<Pattern> excludes = new ArrayList<>();
        private final Map<Pattern, Quantizer> overrides = new LinkedHashMap<>();
        private boolean statistics = true;
        private Progress progress;

        private Builder() {}

        /**
         * Sets the default scheme.
         *
         * @param quantizer the scheme
         * @return this builder
         * @throws NullPointerException if {@code quantizer} is null
         */
        public Builder setScheme(Quantizer quantizer) {
            this.scheme = Objects.requireNonNull(quantizer, "scheme");
            return this;
        }

        /**
         * Sets the default scheme from a spec such as {@code dt4@row}.
         *
         * @param spec the scheme's spec
         * @return this builder
         * @throws IllegalArgumentException if {@code spec} does not parse ({@link Quantizer#parse})
         */
        public Builder setScheme(String spec) {
            return setScheme(Quantizer.parse(spec));
        }

        /**
         * Sets the mode; {@link Mode#SIMULATE} by default.
         *
         * @param mode the mode
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder optMode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets whether apply measures each weight's error (MAE, MSE, max error, SQNR) and code
         * usage (entropy, exponent histogram) for the report; on by default. Off, apply takes a
         * fifth to a half less time and the report keeps each weight's name, shape, spec and sizes
         * with its statistics absent ({@link QuantizationReport.Row#error()} null): for quantizing
         * at load time, where the error is known from an earlier run.
         *
         * @param statistics false to skip the error and code statistics
         * @return this builder
         */
        public Builder optStatistics(boolean statistics) {
            this.statistics = statistics;
            return this;
        }

        /**
         * Reports apply's progress, as DJL's {@code Criteria.optProgress} does downloads (a {@code
         * ProgressBar}, say): one {@code reset} whose maximum is twice the number of selected
         * values, an {@code increment} by a weight's number of values when it is quantized and
         * again when it is handed on (written back, kept by a QuantizedBlock, or given to {@link
         * Quantizers#pack}'s sink), then {@code end}. A failed apply stops where it failed, without
         * {@code end}. None by default.
         *
         * @param progress where to report, or null for nowhere
         * @return this builder
         */
        public Builder optProgress(Progress progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Quantizes only parameters whose name matches one of the include regexes.
         *
         * @param regex searched in each parameter name; once any include is added, only matching
         *     parameters are quantized, whatever their type and shape
         * @return this builder
         * @throws IllegalArgumentException if {@code regex} does not compile
         * @throws NullPointerException if {@code regex} is null
         */
        public Builder addInclude(String regex) {
            includes.add(compile("include", regex));
            return this;
        }

        /**
         * Leaves parameters whose name matches this regex untouched.
         *
         * @param regex searched in each parameter name; it wins over the includes
         * @return this builder
         * @throws IllegalArgumentException if {@code regex} does not compile
         * @throws NullPointerException if {@code regex} is null
         */
        public Builder addExclude(String regex) {
            excludes.add(compile("exclude", regex));
            return this;
        }

        /**
         * Uses {@code spec} for selected parameters whose name matches {@code regex}.
         *
         * @param regex searched in each parameter name; overrides are tried in the order added
         * @param spec the scheme for the parameters it matches
         * @return this builder
         * @throws IllegalArgumentException if {@code regex} does not compile or {@code spec} does
         *     not parse
         * @throws NullPointerException if {@code regex} is null
         */
        public Builder addOverride(String regex, String spec) {
            overrides.put(compile("override", regex), Quantizer.parse(spec));
            return this;
        }

        /**
         * Returns the config.
         *
         * @return a new config
         * @throws NullPointerException if no default scheme was set
         */
        public QuantConfig build() {
            return new QuantConfig(this);
        }

        /** Compiles {@code regex}, or says which of the builder's regexes is bad and why. */
        private static Pattern compile(String role, String regex) {
            try {
                return Pattern.compile(Objects.requireNonNull(regex, role + " regex"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "Bad "
                                + role
                                + " regex '"
                                + regex
                                + "': "
                                + e.getDescription()
                                + " near index "
                                + e.getIndex(),
                        e);
            }
        }
    }
}
