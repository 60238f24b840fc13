package dev.warden.detectors.text;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.warden.detectors.onnx.Softmax;
import dev.warden.detectors.screen.Detection;
import dev.warden.detectors.screen.Detector;
import dev.warden.detectors.screen.ScreenInput;
import java.nio.LongBuffer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The operator slot for a transformer-style text classifier (e.g. a BERT prompt-injection model
 * exported to ONNX) with its {@code tokenizer.json} ({@link TokenizerJson}: WordLevel and WordPiece
 * only). The NFKC-normalised prompt is tokenised once and cut into windows of
 * {@code maxLength} tokens including the special tokens, overlapping by a quarter, so an
 * instruction buried in a long prompt is scored whole in some window; each window is fed as
 * {@code input_ids} / {@code attention_mask} (and zero {@code token_type_ids} if the model has
 * them) of shape {@code [1, length]}, padded to the model's sequence length when it is fixed. The
 * score is the softmax probability of the named label, the largest over the windows.
 *
 * <p>A prompt needing more than {@code maxChunks} windows is not scored (the detector throws, and
 * the screen's {@code onError} decides): scoring part of it would let an attacker hide past the end.
 * One reused session, one intra-op thread; thread-safe. Close it when the detector is replaced.
 */
public final class OnnxTextClassifier implements Detector, AutoCloseable {
  /**
   * Settings.
   *
   * @param name detector name in audit records
   * @param inputIds model input taking the token ids (int64)
   * @param attentionMask model input taking the mask (int64), or null when the model has none
   * @param output model output with the logits {@code [1, classes]}
   * @param labelIndex the class whose probability is the score
   * @param maxLength tokens per window, special tokens included
   * @param maxChunks most windows scored for one prompt
   * @param defaultThreshold threshold when the route sets none
   */
  public record Spec(String name, String inputIds, String attentionMask, String output, int labelIndex, int maxLength,
      int maxChunks, double defaultThreshold) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(inputIds, "inputIds");
      Objects.requireNonNull(output, "output");
      if (labelIndex < 0) throw new IllegalArgumentException("labelIndex must be >= 0");
      if (maxLength < 4 || maxLength > 65_536) throw new IllegalArgumentException("maxLength must be in 4..65536");
      if (maxChunks < 1) throw new IllegalArgumentException("maxChunks must be >= 1");
    }
  }

  private static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final Spec spec;
  private final TokenizerJson tokenizer;
  private final OrtSession session;
  private final boolean tokenTypes;
  private final int fixedLength;

  private OnnxTextClassifier(byte[] model, TokenizerJson tokenizer, Spec spec) throws OrtException {
    this.spec = spec;
    this.tokenizer = tokenizer;
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(1);
    opts.setInterOpNumThreads(1);
    this.session = OrtEnvironment.getEnvironment().createSession(model, opts);
    var ins = session.getInputNames();
    if (!ins.contains(spec.inputIds()) || (spec.attentionMask() != null && !ins.contains(spec.attentionMask()))
        || !session.getOutputNames().contains(spec.output())) {
      String outs = String.valueOf(session.getOutputNames());
      session.close();
      throw new IllegalArgumentException("text classifier model lacks input '" + spec.inputIds() + "'"
          + (spec.attentionMask() == null ? "" : " or '" + spec.attentionMask() + "'") + " or output '" + spec.output()
          + "'; inputs: " + ins + ", outputs: " + outs);
    }
    this.tokenTypes = ins.contains(TOKEN_TYPE_IDS);
    long[] shape = ((TensorInfo) session.getInputInfo().get(spec.inputIds()).getInfo()).getShape();
    this.fixedLength = shape.length == 2 && shape[1] > 0 ? (int) shape[1] : -1;
    if (fixedLength > 0 && fixedLength < spec.maxLength()) {
      session.close();
      throw new IllegalArgumentException("model takes " + fixedLength + " tokens, maxLength is " + spec.maxLength());
    }
    if (tokenizer.prefixIds().length + tokenizer.suffixIds().length >= spec.maxLength()) {
      session.close();
      throw new IllegalArgumentException("maxLength leaves no room beside the special tokens");
    }
  }

  /**
   * A classifier over model and tokenizer bytes already admitted by an artifact gate.
   *
   * @throws IllegalArgumentException if the tokenizer is not supported or names do not match the model
   */
  public static OnnxTextClassifier fromBytes(byte[] model, byte[] tokenizerJson, Spec spec) throws OrtException {
    return new OnnxTextClassifier(model, TokenizerJson.parse(tokenizerJson), Objects.requireNonNull(spec, "spec"));
  }

  @Override public String name() { return spec.name(); }

  @Override public double defaultThreshold() { return spec.defaultThreshold(); }

  @Override public boolean cacheable() { return true; }

  @Override public boolean accepts(ScreenInput input) { return input.hasText(); }

  @Override
  public Detection detect(ScreenInput input, double threshold) throws Exception {
    float s = score(input.text());
    return Detection.scored(s, threshold, String.format(Locale.ROOT, "%s probability %.3f", spec.name(), s));
  }

  /** The largest window probability of the label for {@code text}. */
  public float score(String text) throws OrtException {
    List<long[]> windows = windows(tokenizer.encode(Normalizer.normalize(text, Normalizer.Form.NFKC)));
    float best = 0;
    for (long[] w : windows) best = Math.max(best, scoreWindow(w));
    return best;
  }

  List<long[]> windows(int[] ids) {
    int[] pre = tokenizer.prefixIds();
    int[] post = tokenizer.suffixIds();
    int room = spec.maxLength() - pre.length - post.length;
    int step = Math.max(1, room - room / 4);
    List<long[]> out = new ArrayList<>();
    for (int start = 0; ; start += step) {
      int end = Math.min(ids.length, start + room);
      long[] w = new long[pre.length + (end - start) + post.length];
      int k = 0;
      for (int v : pre) w[k++] = v;
      for (int i = start; i < end; i++) w[k++] = ids[i];
      for (int v : post) w[k++] = v;
      out.add(w);
      if (out.size() > spec.maxChunks()) {
        throw new IllegalArgumentException("prompt of " + ids.length + " tokens needs more than " + spec.maxChunks()
            + " windows of " + spec.maxLength());
      }
      if (end >= ids.length) return out;
    }
  }

  private float scoreWindow(long[] ids) throws OrtException {
    int len = fixedLength > 0 ? fixedLength : ids.length;
    long[] tokens = new long[len];
    long[] mask = new long[len];
    java.util.Arrays.fill(tokens, tokenizer.padId());
    System.arraycopy(ids, 0, tokens, 0, ids.length);
    java.util.Arrays.fill(mask, 0, ids.length, 1L);
    long[] shape = {1, len};
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put(spec.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), shape));
      if (spec.attentionMask() != null) feed.put(spec.attentionMask(), OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (tokenTypes && !feed.containsKey(TOKEN_TYPE_IDS)) {
        feed.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[len]), shape));
      }
      try (OrtSession.Result r = session.run(feed)) {
        Object v = r.get(spec.output()).orElseThrow().getValue();
        float[] logits = v instanceof float[][] m ? m[0] : v instanceof float[] a ? a : null;
        if (logits == null) throw new IllegalStateException("output '" + spec.output() + "' is not FP32 [1, classes]");
        if (spec.labelIndex() >= logits.length) {
          throw new IllegalStateException("model has " + logits.length + " classes, label index is " + spec.labelIndex());
        }
        return Softmax.of(logits, spec.labelIndex());
      }
    } finally {
      for (OnnxTensor t : feed.values()) t.close();
    }
  }

  TokenizerJson tokenizerForTest() { return tokenizer; }

  @Override
  public void close() throws OrtException { session.close(); }
}
