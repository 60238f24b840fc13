/**
 * Layer 4: encrypted inference of ONNX dense models.
 *
 * <p>{@link dev.warden.crypto.he.inference.OnnxImporter} reads Gemm / MatMul / Add / Sub / Mul / Div /
 * Flatten / Reshape and square or declared degree-2 polynomial activations into a
 * {@link dev.warden.crypto.he.inference.PlainModel}; {@link dev.warden.crypto.he.inference.CompiledModel}
 * lays it out in slots (several requests per ciphertext), pre-encodes the weights, and lists the rotation
 * keys it needs; {@link dev.warden.crypto.he.inference.EncryptedInference} gives the two roles — the
 * {@code KeyHolder} (gateway: keys, encrypt, safe decrypt, softmax/argmax) and the {@code Evaluator}
 * (backend: evaluates on ciphertexts with public keys only), exchanging bytes. See the example in
 * {@link dev.warden.crypto.he.inference.EncryptedInference}.
 */
package dev.warden.crypto.he.inference;
