package dev.djlquant.format;

/**
 * The standard normal quantile ({@code scipy.stats.norm.ppf}) in double precision for {@code p} in
 * {@code [0.5, 1)}, which is all the normal-float codebooks need. Newton's method on the normal
 * CDF, whose {@code erf} comes from the series {@code erf(z) = 2/sqrt(pi) e^(-z^2) sum 2^n z^(2n+1)
 * / (1*3*...*(2n+1))}: all its terms are positive, so it loses no digits to cancellation.
 */
final class NormalQuantile {

    private static final double SQRT_2 = Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private NormalQuantile() {}

    /** Returns x with {@code Phi(x) = p}, for p in [0.5, 1). */
    static double of(double p) {
        if (!(p >= 0.5 && p < 1)) {
            throw new IllegalArgumentException("normal quantile needs p in [0.5, 1), got " + p);
        }
        // Phi is concave for x >= 0, so Newton's steps from 0 approach the root from below.
        double x = 0;
        for (int i = 0; i < 200; i++) {
            double step = (p - cdf(x)) / (INV_SQRT_2PI * Math.exp(-x * x / 2));
            x += step;
            if (Math.abs(step) <= 1e-16 * Math.max(1, x)) {
                break;
            }
        }
        return x;
    }

    /** The standard normal CDF for {@code x >= 0}. */
    static double cdf(double x) {
        return 0.5 + 0.5 * erf(x / SQRT_2);
    }

    private static double erf(double z) {
        double term = z;
        double sum = z;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++) {
            term *= 2 * z * z / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
    }
}
