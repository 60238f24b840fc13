/**
 * Canonical input digests and the deny-list (step 5 of the gateway pipeline).
 *
 * <p>The gateway converts each parsed request input into a {@link dev.warden.detectors.digest.Tensor}
 * ({@link dev.warden.detectors.digest.Tensor#fromJson} for OIP JSON {@code data},
 * {@link dev.warden.detectors.digest.Tensor#fromBinary} for the binary extension) and asks an
 * {@link dev.warden.detectors.digest.InputDigester} (HMAC-SHA-256 under a
 * {@link dev.warden.detectors.digest.DigestKey}) for the
 * {@link dev.warden.detectors.digest.InputDigest}; the
 * {@link dev.warden.detectors.digest.DenyList} then says whether it is refused.
 * <pre>{@code
 * InputDigester digester = new InputDigester(DigestKey.generate());   // one per process; key from config in production
 * Tensor t = Tensor.fromJson("input", DataType.fromOip("FP32"), new long[] {1, 64}, dataList);
 * InputDigest d = digester.digest("digits", null, List.of(t), outputAffectingParameters);
 * if (denyList.isDenied(d)) ... 403 input_rejected, audit d.hex() and denyList.reason(d)
 * }</pre>
 * The encoding is specified in {@link dev.warden.detectors.digest.InputDigester}'s javadoc and pinned
 * by a known-answer test.
 */
package dev.warden.detectors.digest;
