package dev.warden.crypto.dp;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A zCDP cost ρ in integer micro-units (1 unit = 10^-6 of ρ), rounded <b>up</b> when created from a real
 * number, so that the ledger never charges less than the mechanism spends. Immutable.
 */
public final class PrivacyCost implements Comparable<PrivacyCost> {

    /** Micro-units per unit of ρ. */
    public static final long MICROS_PER_RHO = 1_000_000L;

    private static final BigDecimal MICROS = BigDecimal.valueOf(MICROS_PER_RHO);

    private final long micros;

    private PrivacyCost(long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("privacy cost must be >= 0, got " + micros + " micro-units");
        }
        this.micros = micros;
    }

    /** A cost given directly in micro-units of ρ. */
    public static PrivacyCost ofMicros(long micros) {
        return new PrivacyCost(micros);
    }

    /** ρ (zCDP), rounded up to whole micro-units. */
    public static PrivacyCost ofRho(BigDecimal rho) {
        if (rho.signum() < 0) {
            throw new IllegalArgumentException("rho must be >= 0, got " + rho);
        }
        return new PrivacyCost(rho.multiply(MICROS).setScale(0, RoundingMode.CEILING).longValueExact());
    }

    /** ρ (zCDP) given as its decimal value, rounded up to whole micro-units. */
    public static PrivacyCost ofRho(double rho) {
        requireFinite(rho, "rho");
        return ofRho(BigDecimal.valueOf(rho));
    }

    /** A pure ε-DP release costs ρ = ε²/2 (Bun–Steinke 2016, Prop. 1.4), rounded up. */
    public static PrivacyCost ofPureEpsilon(double epsilon) {
        requireFinite(epsilon, "epsilon");
        BigDecimal e = BigDecimal.valueOf(epsilon);
        return ofRho(e.multiply(e).divide(BigDecimal.valueOf(2)));
    }

    /** A Gaussian release with L2 sensitivity Δ and noise σ costs ρ = Δ²/(2σ²), rounded up. */
    public static PrivacyCost ofGaussian(double l2Sensitivity, double sigma) {
        requireFinite(l2Sensitivity, "l2Sensitivity");
        requireFinite(sigma, "sigma");
        if (sigma <= 0) {
            throw new IllegalArgumentException("sigma must be > 0, got " + sigma);
        }
        BigDecimal d = BigDecimal.valueOf(l2Sensitivity);
        BigDecimal s = BigDecimal.valueOf(sigma);
        return ofRho(d.multiply(d).divide(s.multiply(s).multiply(BigDecimal.valueOf(2)), 30, RoundingMode.CEILING));
    }

    private static void requireFinite(double v, String name) {
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(name + " must be a finite non-negative number, got " + v);
        }
    }

    public long micros() {
        return micros;
    }

    /** ρ as a double (reporting only). */
    public double rho() {
        return micros / (double) MICROS_PER_RHO;
    }

    /** The cost of {@code n} releases (e.g. one per row of a batch). */
    public PrivacyCost times(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("release count must be >= 0, got " + n);
        }
        return new PrivacyCost(Math.multiplyExact(micros, (long) n));
    }

    public PrivacyCost plus(PrivacyCost o) {
        return new PrivacyCost(Math.addExact(micros, o.micros));
    }

    @Override
    public int compareTo(PrivacyCost o) {
        return Long.compare(micros, o.micros);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivacyCost c && c.micros == micros;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(micros);
    }

    @Override
    public String toString() {
        return "rho=" + BigDecimal.valueOf(micros).movePointLeft(6).toPlainString();
    }
}
