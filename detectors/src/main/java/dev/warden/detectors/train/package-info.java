/**
 * A small, deterministic trainer for dense networks and their ONNX export, shared by Warden's
 * modules (demo model, homomorphic-inference models, detector models).
 *
 * <h2>Data</h2>
 * {@link dev.warden.detectors.train.Datasets#digits()} (1797 UCI 8x8 digits, pixels 0..16) and
 * {@link dev.warden.detectors.train.Datasets#breastCancer()} (569 WDBC rows, 30 features) are bundled
 * (sources in {@code dev/warden/detectors/data/README.md}). A
 * {@link dev.warden.detectors.train.Dataset} holds {@code float[][] x, int[] y};
 * {@link dev.warden.detectors.train.Dataset#stratifiedSplit(double, long)} is a deterministic
 * stratified split; {@link dev.warden.detectors.train.Recipes#digitsSplit()} is the project's one
 * standard split (80/20, seed 42) so every module holds out the same rows.
 *
 * <h2>Training</h2>
 * {@link dev.warden.detectors.train.Trainer} (builder: {@code dense(units, Activation)} layers with
 * IDENTITY, RELU, SQUARE, SIGMOID, SOFTMAX; {@link dev.warden.detectors.train.Loss} softmax
 * cross-entropy or MSE; {@link dev.warden.detectors.train.Optimizer} SGD or Adam; L2; learned
 * standardisation or a fixed input scaling, both kept inside the model; a seed) returns an
 * immutable {@link dev.warden.detectors.train.DenseNetwork}. Training is reproducible from the seed
 * (a seeded PRNG on purpose; nothing secret comes from it).
 *
 * <h2>ONNX export</h2>
 * {@link dev.warden.detectors.train.DenseNetwork#toOnnx(String, String)} writes opset 13 (via
 * tribuo-util-onnx): input FP32 {@code [batch, in]}, output FP32 {@code [batch, out]}, batch
 * dynamic; nodes Sub/Mul (standardisation), Gemm (transB=1) and Relu / Mul(x,x) / Sigmoid /
 * Softmax(axis=1). {@link dev.warden.detectors.train.DenseNetwork#forward(float[])} computes the same
 * operations in float, so ONNX Runtime agrees to ~1e-6 (tested).
 * {@link dev.warden.detectors.train.DenseNetwork#appendTo} composes a network into a larger graph.
 *
 * <h2>Recipes (what the other modules need)</h2>
 * <pre>{@code
 * Dataset.Split s = Recipes.digitsSplit();
 * // gateway demo: "input" FP32 [batch,64] raw pixels 0..16 -> "probabilities" [batch,10]
 * byte[] demo = Recipes.digitsMlp(s.train()).toOnnx("input", "probabilities");
 * // HE: logistic regression 64->10 and MLP 64->32 (square) ->10, pixels scaled 1/16 in the model;
 * // plain dense layers producing logits:
 * DenseNetwork lr = Recipes.digitsLogisticRegression(s.train()).withStandardisationFolded().withoutFinalActivation();
 * DenseNetwork sq = Recipes.digitsSquareMlp(s.train()).withStandardisationFolded().withoutFinalActivation();
 * float[] w0 = sq.weights(0);   // row-major [32][64]; sq.bias(0), sq.activation(0) == SQUARE
 * // breast cancer: standardisation inside the model, class 1 = benign
 * byte[] bc = Recipes.breastCancerLogisticRegression(Recipes.breastCancerSplit().train()).toOnnx("input", "probabilities");
 * }</pre>
 * Held-out accuracy on the standard split (tested lower bounds): digits MLP &gt; 0.94, logistic
 * regression and square MLP &gt; 0.9, breast-cancer LR &gt; 0.93. Training each takes well under a
 * second to a few seconds.
 */
package dev.warden.detectors.train;
