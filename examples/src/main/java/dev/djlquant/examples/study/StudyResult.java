package dev.djlquant.examples.study;

import dev.djlquant.data.Evaluation;
import java.util.List;
import java.util.Optional;

/**
 * Everything one study run measured, for the Markdown, CSV and JSON writers and the charts.
 *
 * @param model {@code alexnet} or {@code vgg16}
 * @param architecture the DJL-native architecture name
 * @param quick whether this was the {@code --quick} preset
 * @param command the command line that started the run (may be null)
 * @param data where the images came from
 * @param pretrained the TorchScript file the weights came from, or null (from scratch)
 * @param testImages the number of test images every scheme was evaluated on
 * @param importedAccuracy accuracy of the imported weights before fine-tuning, or null
 * @param fineTune what the fine-tuning did
 * @param schemes one row per scheme, the float32 baseline first
 * @param environment machine, versions, timings
 */
public record StudyResult(
        String model,
        String architecture,
        boolean quick,
        String command,
        String data,
        String pretrained,
        int testImages,
        Evaluation.Accuracy importedAccuracy,
        FineTuneSummary fineTune,
        List<SchemeResult> schemes,
        Environment environment) {

    /**
     * Where and how long the run took.
     *
     * @param started ISO-8601 start time
     * @param cores available processors
     * @param loadAverageStart the system load average at the start (-1 if unknown)
     * @param loadAverageEnd the system load average at the end (-1 if unknown)
     * @param djlVersion the DJL version
     * @param engine the engine and its version
     * @param javaVersion the Java runtime version
     * @param dataSeconds reading and decoding the images
     * @param importSeconds loading the pretrained weights (or initializing) and evaluating them
     * @param sweepSeconds the baseline and every scheme
     * @param totalSeconds the whole run, writing results included
     */
    public record Environment(
            String started,
            int cores,
            double loadAverageStart,
            double loadAverageEnd,
            String djlVersion,
            String engine,
            String javaVersion,
            double dataSeconds,
            double importSeconds,
            double sweepSeconds,
            double totalSeconds) {}

    /** Returns the float32 baseline row. */
    public SchemeResult baseline() {
        return schemes.get(0);
    }

    /** Returns the row of a spec, if it was swept. */
    public Optional<SchemeResult> find(String spec) {
        return schemes.stream().filter(s -> s.spec().equals(spec)).findFirst();
    }

    /** Returns a copy with the total duration set (known only once the results are written). */
    StudyResult withTotalSeconds(double seconds) {
        Environment e = environment;
        return new StudyResult(
                model,
                architecture,
                quick,
                command,
                data,
                pretrained,
                testImages,
                importedAccuracy,
                fineTune,
                schemes,
                new Environment(
                        e.started,
                        e.cores,
                        e.loadAverageStart,
                        e.loadAverageEnd,
                        e.djlVersion,
                        e.engine,
                        e.javaVersion,
                        e.dataSeconds,
                        e.importSeconds,
                        e.sweepSeconds,
                        seconds));
    }
}
