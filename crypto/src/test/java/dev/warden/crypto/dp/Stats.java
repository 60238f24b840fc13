package dev.warden.crypto.dp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongToDoubleFunction;

/** Statistics helpers for the sampler tests (doubles are fine here: they judge, they do not sample). */
final class Stats {
    /** Significance level of every goodness-of-fit test (issue 4). */
    static final double ALPHA = 1e-6;

    private Stats() {
    }

    /** Runs a randomized check up to 5 times and passes when 3 runs pass (so a 1e-6 fluke cannot fail CI). */
    static boolean majorityOf5(BooleanSupplier run) {
        int pass = 0;
        int fail = 0;
        while (pass < 3 && fail < 3) {
            if (run.getAsBoolean()) {
                pass++;
            } else {
                fail++;
            }
        }
        return pass == 3;
    }

    /** Upper tail P[χ²_df ≥ x] = Q(df/2, x/2). */
    static double chiSquareUpperTail(double x, int df) {
        return regularizedGammaQ(df / 2.0, x / 2.0);
    }

    static double regularizedGammaQ(double a, double x) {
        if (x <= 0) {
            return 1.0;
        }
        if (x < a + 1) {
            // series for P
            double sum = 1.0 / a;
            double term = sum;
            for (int n = 1; n < 100000; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-15) {
                    break;
                }
            }
            double p = sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
            return 1.0 - p;
        }
        // continued fraction for Q (modified Lentz)
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 100000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    /** Lanczos approximation (g=7, n=9), accurate to ~1e-15 relative for a > 0. */
    static double logGamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        x -= 1;
        double s = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            s += c[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
    }

    /**
     * χ² goodness of fit of integer samples against a pmf known up to normalisation on [-m, m] (mass outside
     * is negligible and merged into the end bins). Consecutive values are merged until each bin expects ≥ 20.
     *
     * @return the p-value
     */
    static double chiSquarePValue(long[] samples, LongToDoubleFunction unnormalisedPmf, long m) {
        int width = (int) (2 * m + 1);
        double[] p = new double[width];
        double z = 0;
        for (int i = 0; i < width; i++) {
            p[i] = unnormalisedPmf.applyAsDouble(i - m);
            z += p[i];
        }
        long[] counts = new long[width];
        for (long s : samples) {
            long idx = Math.max(0, Math.min(width - 1, s + m));
            counts[(int) idx]++;
        }
        int n = samples.length;
        List<double[]> bins = new ArrayList<>(); // {expected, observed}
        double e = 0;
        double o = 0;
        for (int i = 0; i < width; i++) {
            e += n * p[i] / z;
            o += counts[i];
            if (e >= 20) {
                bins.add(new double[] {e, o});
                e = 0;
                o = 0;
            }
        }
        if (bins.isEmpty()) {
            throw new IllegalStateException("too few samples for a chi-square test");
        }
        double[] last = bins.get(bins.size() - 1);
        last[0] += e;
        last[1] += o;
        double chi2 = 0;
        for (double[] b : bins) {
            chi2 += (b[1] - b[0]) * (b[1] - b[0]) / b[0];
        }
        int df = bins.size() - 1;
        if (df < 1) {
            throw new IllegalStateException("need at least two bins");
        }
        return chiSquareUpperTail(chi2, df);
    }

    /** Two-outcome χ² p-value for k successes of n at probability p. */
    static double binomialPValue(long k, long n, double p) {
        double e1 = n * p;
        double e0 = n * (1 - p);
        double chi2 = (k - e1) * (k - e1) / e1 + ((n - k) - e0) * ((n - k) - e0) / e0;
        return chiSquareUpperTail(chi2, 1);
    }
}
