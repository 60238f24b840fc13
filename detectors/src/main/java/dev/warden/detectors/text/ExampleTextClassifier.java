package dev.warden.detectors.text;

import dev.warden.detectors.train.OnnxModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny hand-made BERT-style prompt-injection classifier in the layout the gateway's
 * {@code kind: text-classifier} slot loads ({@value #MODEL} + {@value #TOKENIZER}): a WordPiece
 * {@code tokenizer.json} of {@value #VOCAB_SIZE} entries and an embedding-bag ONNX model whose
 * label 1 ({@code INJECTION}) fires on words such as "ignore", "previous", "instruction", "reveal",
 * "system", "prompt". Not a detector to deploy: it shows the file layout and lets tests and docs
 * exercise the real loading path (tokenizer, chunking, ONNX Runtime, softmax) with real files.
 */
public final class ExampleTextClassifier {
  /** The model file name in the directory. */
  public static final String MODEL = "model.onnx";
  /** The tokenizer file name in the directory. */
  public static final String TOKENIZER = "tokenizer.json";
  /** Labels, index = class. */
  public static final List<String> LABELS = List.of("SAFE", "INJECTION");

  private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "ignore", "previous",
      "instruction", "##s", "reveal", "system", "prompt", "please", "summarize", "the", "report", "weather", "today",
      "what", "is", ",", ".", "and", "a", "of");
  static final int VOCAB_SIZE = 24;
  private static final List<String> SUSPICIOUS = List.of("ignore", "previous", "instruction", "reveal", "system", "prompt");
  private static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "##s", ",", ".");

  private ExampleTextClassifier() {}

  /** The {@code tokenizer.json} text (WordPiece, BertNormalizer, BertPreTokenizer, [CLS] $A [SEP]). */
  public static String tokenizerJson() {
    StringBuilder vocab = new StringBuilder();
    for (int i = 0; i < VOCAB.size(); i++) {
      vocab.append(i == 0 ? "" : ",").append('"').append(VOCAB.get(i)).append("\":").append(i);
    }
    return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
        + "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
        + "\"strip_accents\":null,\"lowercase\":true},"
        + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
        + "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},"
        + "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
        + "\"pair\":[],\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
        + "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},"
        + "\"decoder\":null,\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
        + "\"max_input_chars_per_word\":100,\"vocab\":{" + vocab + "}}}";
  }

  /** The ONNX model: embedding dim 0 = suspicious, dim 1 = ordinary word; logits [SAFE, INJECTION]. */
  public static byte[] model() {
    float[][] emb = new float[VOCAB.size()][2];
    for (int i = 0; i < VOCAB.size(); i++) {
      String w = VOCAB.get(i);
      if (SUSPICIOUS.contains(w)) emb[i][0] = 1f;
      else if (!SPECIAL.contains(w)) emb[i][1] = 1f;
    }
    float[][] weights = {{-6f, 6f}, {6f, -6f}};
    return OnnxModels.embeddingBagClassifier(emb, weights, new float[] {0f, 0f});
  }

  /** Writes {@value #MODEL} and {@value #TOKENIZER} into {@code dir} (created if needed). */
  public static void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(MODEL), model());
    Files.writeString(dir.resolve(TOKENIZER), tokenizerJson(), StandardCharsets.UTF_8);
  }
}
