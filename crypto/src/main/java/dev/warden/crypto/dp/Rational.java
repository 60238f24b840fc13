package dev.warden.crypto.dp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact, non-negative rational number {@code numerator / denominator} in lowest terms.
 *
 * <p>Sampler parameters (a Gaussian's σ², a Laplace scale, a Bernoulli probability) are given as rationals
 * so that the samplers never touch floating point: the distribution sampled is exactly the one named.
 * Immutable and thread-safe.
 */
public final class Rational implements Comparable<Rational> {

    public static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    public static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

    private final BigInteger num;
    private final BigInteger den;

    private Rational(BigInteger num, BigInteger den) {
        this.num = num;
        this.den = den;
    }

    /** {@code numerator / denominator}; both must be non-negative and the denominator positive. */
    public static Rational of(BigInteger numerator, BigInteger denominator) {
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
        if (denominator.signum() <= 0) {
            throw new IllegalArgumentException("denominator must be positive, got " + denominator);
        }
        if (numerator.signum() < 0) {
            throw new IllegalArgumentException("rational must be non-negative, got numerator " + numerator);
        }
        BigInteger g = numerator.gcd(denominator);
        if (g.signum() == 0 || g.equals(BigInteger.ONE)) {
            return new Rational(numerator, denominator);
        }
        return new Rational(numerator.divide(g), denominator.divide(g));
    }

    public static Rational of(long numerator, long denominator) {
        return of(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    public static Rational of(long integer) {
        return of(integer, 1);
    }

    /** The exact value of a non-negative decimal. */
    public static Rational of(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        if (value.signum() < 0) {
            throw new IllegalArgumentException("rational must be non-negative, got " + value);
        }
        BigDecimal v = value.stripTrailingZeros();
        if (v.scale() <= 0) {
            return of(v.toBigIntegerExact(), BigInteger.ONE);
        }
        return of(v.unscaledValue(), BigInteger.TEN.pow(v.scale()));
    }

    /**
     * Parses {@code "a/b"} or a decimal such as {@code "0.25"} / {@code "1e-3"}.
     *
     * @throws IllegalArgumentException naming the text if it is not a non-negative rational
     */
    public static Rational parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            int slash = text.indexOf('/');
            if (slash >= 0) {
                return of(new BigInteger(text.substring(0, slash).trim()),
                        new BigInteger(text.substring(slash + 1).trim()));
            }
            return of(new BigDecimal(text.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rational number: '" + text + "'", e);
        }
    }

    public BigInteger numerator() {
        return num;
    }

    public BigInteger denominator() {
        return den;
    }

    public boolean isZero() {
        return num.signum() == 0;
    }

    public Rational add(Rational o) {
        return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    public Rational multiply(Rational o) {
        return of(num.multiply(o.num), den.multiply(o.den));
    }

    public Rational divide(Rational o) {
        if (o.isZero()) {
            throw new ArithmeticException("division by zero rational");
        }
        return of(num.multiply(o.den), den.multiply(o.num));
    }

    /** {@code floor(this)}. */
    public BigInteger floor() {
        return num.divide(den);
    }

    /** {@code floor(sqrt(this))}, exact. */
    public BigInteger floorSqrt() {
        return floor().sqrt();
    }

    /** The nearest double (for display and reporting only; samplers never use it). */
    public double doubleValue() {
        return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64).doubleValue();
    }

    @Override
    public int compareTo(Rational o) {
        return num.multiply(o.den).compareTo(o.num.multiply(den));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rational r && r.num.equals(num) && r.den.equals(den);
    }

    @Override
    public int hashCode() {
        return num.hashCode() * 31 + den.hashCode();
    }

    @Override
    public String toString() {
        return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den;
    }
}
