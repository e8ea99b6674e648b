package dev.djlquant.metrics;

/**
 * How far restored values are from the originals, as sums in double so that metrics of several
 * tensors combine exactly: mean absolute and squared error, maximum absolute error and the
 * signal-to-quantization-noise ratio {@code 10*log10(sum x^2 / sum (x - x')^2)} in dB.
 */
public record ErrorMetrics(
        long count,
        double absErrorSum,
        double squaredErrorSum,
        double signalSum,
        double maxAbsError) {

    /** Compares {@code restored} with {@code original}, which must have the same length. */
    public static ErrorMetrics between(float[] original, float[] restored) {
        if (original.length != restored.length) {
            throw new IllegalArgumentException(
                    "Cannot compare " + original.length + " values with " + restored.length);
        }
        double absSum = 0;
        double squareSum = 0;
        double signal = 0;
        double max = 0;
        for (int i = 0; i < original.length; i++) {
            double x = original[i];
            double e = Math.abs(x - restored[i]);
            absSum += e;
            squareSum += e * e;
            signal += x * x;
            max = Math.max(max, e);
        }
        return new ErrorMetrics(original.length, absSum, squareSum, signal, max);
    }

    /** Mean absolute error. */
    public double mae() {
        return count == 0 ? 0 : absErrorSum / count;
    }

    /** Mean squared error. */
    public double mse() {
        return count == 0 ? 0 : squaredErrorSum / count;
    }

    /** SQNR in dB; positive infinity when restoration is exact. */
    public double sqnrDb() {
        return squaredErrorSum == 0
                ? Double.POSITIVE_INFINITY
                : 10 * Math.log10(signalSum / squaredErrorSum);
    }

    /** Combines metrics of disjoint value sets, as if measured over their union. */
    public ErrorMetrics plus(ErrorMetrics other) {
        return new ErrorMetrics(
                count + other.count,
                absErrorSum + other.absErrorSum,
                squaredErrorSum + other.squaredErrorSum,
                signalSum + other.signalSum,
                Math.max(maxAbsError, other.maxAbsError));
    }
}
