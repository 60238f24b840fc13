/**
 * The differential-privacy trade-off, shown: evaluates a model's held-out accuracy (or error) when its outputs
 * are released through the same mechanism a route's {@code privacy:} section configures, across per-query ε,
 * and plots it against the maximum membership-attack accuracy e^ε/(1+e^ε) and the number of queries a budget
 * allows. Behind {@code warden dp tradeoff}.
 *
 * <p>Public API: {@link dev.warden.gateway.dpviz.LabelledRows} (held-out data),
 * {@link dev.warden.gateway.dpviz.ModelOutputs} (plain model outputs through ONNX Runtime),
 * {@link dev.warden.gateway.dpviz.ReleaseSpec} (the route's mechanism, built per ε),
 * {@link dev.warden.gateway.dpviz.TradeoffEvaluator} (the evaluation),
 * {@link dev.warden.gateway.dpviz.TradeoffReport} (CSV, PNG, SVG).
 *
 * <p>This is an offline tool: it spends no real budget and its noise protects nothing; it uses the production
 * samplers (exact, {@code SecureRandom}) so that the accuracy shown is the accuracy a client would see.
 */
package dev.warden.gateway.dpviz;
