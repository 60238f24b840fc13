package dev.warden.detectors.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pure-Java reader of Hugging Face {@code tokenizer.json} files for <b>WordLevel and WordPiece
 * (BERT-style) models only</b>; BPE, Unigram and byte-level tokenizers are refused at load with a
 * message saying so, never approximated.
 *
 * <p>Why not DJL's {@code ai.djl.huggingface:tokenizers}: it works offline (its jar bundles the
 * linux-x86_64 native library, unpacked into a cache folder under the user's home), but it adds
 * about 6 MB compressed to the gateway's fat jar, which must stay within 60 MB; the BERT-family
 * classifiers used for prompt screening need only what is here.
 *
 * <p>Supported pipeline parts: normalizers {@code Lowercase}, {@code NFC/NFD/NFKC/NFKD},
 * {@code StripAccents}, {@code BertNormalizer}, {@code Sequence}; pre-tokenizers {@code Whitespace},
 * {@code WhitespaceSplit}, {@code BertPreTokenizer}, {@code Sequence}; post-processors
 * {@code BertProcessing}, {@code RobertaProcessing}, {@code TemplateProcessing} (single sequence).
 * Not supported: matching {@code added_tokens} inside the text (special tokens typed by a user are
 * tokenised as ordinary text, which is what a screen wants), and the file's own truncation and
 * padding (the classifier chunks instead). Immutable and thread-safe.
 */
public final class TokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WHITESPACE_WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

  private final Map<String, Integer> vocab;
  private final int unkId;
  private final boolean wordPiece;
  private final String prefix;
  private final int maxWordChars;
  private final List<JsonNode> normalizers = new ArrayList<>();
  private final List<String> preTokenizers = new ArrayList<>();
  private final int[] prefixIds;
  private final int[] suffixIds;
  private final int padId;

  private TokenizerJson(JsonNode root) {
    JsonNode model = root.path("model");
    String type = model.path("type").asText("");
    if (!type.equals("WordLevel") && !type.equals("WordPiece")) {
      throw new IllegalArgumentException("tokenizer.json: model type '" + type + "' is not supported (only WordLevel and"
          + " WordPiece tokenizers are read by this build)");
    }
    wordPiece = type.equals("WordPiece");
    vocab = new HashMap<>();
    model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    if (vocab.isEmpty()) throw new IllegalArgumentException("tokenizer.json: empty vocabulary");
    String unk = model.path("unk_token").asText("[UNK]");
    Integer u = vocab.get(unk);
    if (u == null) throw new IllegalArgumentException("tokenizer.json: unk_token '" + unk + "' is not in the vocabulary");
    unkId = u;
    prefix = model.path("continuing_subword_prefix").asText("##");
    maxWordChars = model.path("max_input_chars_per_word").asInt(100);
    flatten(root.path("normalizer"), "normalizers", normalizers);
    List<JsonNode> pre = new ArrayList<>();
    flatten(root.path("pre_tokenizer"), "pretokenizers", pre);
    for (JsonNode p : pre) {
      String t = p.path("type").asText();
      if (!List.of("Whitespace", "WhitespaceSplit", "BertPreTokenizer").contains(t)) {
        throw new IllegalArgumentException("tokenizer.json: pre-tokenizer '" + t + "' is not supported");
      }
      preTokenizers.add(t);
    }
    for (JsonNode n : normalizers) {
      String t = n.path("type").asText();
      if (!List.of("Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents", "BertNormalizer").contains(t)) {
        throw new IllegalArgumentException("tokenizer.json: normalizer '" + t + "' is not supported");
      }
    }
    List<Integer> before = new ArrayList<>();
    List<Integer> after = new ArrayList<>();
    postProcessor(root.path("post_processor"), before, after);
    prefixIds = before.stream().mapToInt(Integer::intValue).toArray();
    suffixIds = after.stream().mapToInt(Integer::intValue).toArray();
    JsonNode pad = root.path("padding");
    padId = pad.has("pad_id") ? pad.get("pad_id").asInt() : vocab.getOrDefault("[PAD]", 0);
  }

  /** Parses a {@code tokenizer.json}. @throws IllegalArgumentException if a part is not supported */
  public static TokenizerJson parse(byte[] json) {
    try {
      return new TokenizerJson(JSON.readTree(json));
    } catch (IOException e) {
      throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static void flatten(JsonNode n, String listKey, List<JsonNode> out) {
    if (n == null || n.isNull() || n.isMissingNode()) return;
    if (n.path("type").asText().equals("Sequence")) {
      for (JsonNode c : n.path(listKey)) flatten(c, listKey, out);
    } else {
      out.add(n);
    }
  }

  private void postProcessor(JsonNode p, List<Integer> before, List<Integer> after) {
    if (p == null || p.isNull() || p.isMissingNode()) return;
    String t = p.path("type").asText();
    switch (t) {
      case "BertProcessing", "RobertaProcessing" -> {
        before.add(p.path("cls").path(1).asInt());
        after.add(p.path("sep").path(1).asInt());
      }
      case "TemplateProcessing" -> {
        List<Integer> target = before;
        for (JsonNode piece : p.path("single")) {
          if (piece.has("Sequence")) {
            target = after;
          } else if (piece.has("SpecialToken")) {
            String id = piece.get("SpecialToken").path("id").asText();
            JsonNode ids = p.path("special_tokens").path(id).path("ids");
            if (!ids.isArray() || ids.isEmpty()) {
              throw new IllegalArgumentException("tokenizer.json: special token '" + id + "' has no ids");
            }
            for (JsonNode i : ids) target.add(i.asInt());
          }
        }
      }
      default -> throw new IllegalArgumentException("tokenizer.json: post-processor '" + t + "' is not supported");
    }
  }

  /** Token ids of {@code text}, without special tokens. */
  public int[] encode(String text) {
    String s = normalise(text);
    List<Integer> ids = new ArrayList<>();
    for (String word : preTokenise(s)) {
      if (wordPiece) wordPiece(word, ids);
      else ids.add(vocab.getOrDefault(word, unkId));
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Ids the post-processor puts before a sequence (e.g. [CLS]). */
  public int[] prefixIds() { return prefixIds.clone(); }

  /** Ids the post-processor puts after a sequence (e.g. [SEP]). */
  public int[] suffixIds() { return suffixIds.clone(); }

  /** The padding id (the file's padding.pad_id, else [PAD], else 0). */
  public int padId() { return padId; }

  /** The id of a vocabulary entry, or -1. */
  public int idOf(String token) { return vocab.getOrDefault(token, -1); }

  String normalise(String text) {
    String s = text;
    for (JsonNode n : normalizers) {
      switch (n.path("type").asText()) {
        case "Lowercase" -> s = s.toLowerCase(Locale.ROOT);
        case "NFC" -> s = Normalizer.normalize(s, Normalizer.Form.NFC);
        case "NFD" -> s = Normalizer.normalize(s, Normalizer.Form.NFD);
        case "NFKC" -> s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        case "NFKD" -> s = Normalizer.normalize(s, Normalizer.Form.NFKD);
        case "StripAccents" -> s = stripAccents(s);
        case "BertNormalizer" -> s = bert(n, s);
        default -> throw new IllegalStateException();
      }
    }
    return s;
  }

  private static String bert(JsonNode n, String s) {
    boolean lower = n.path("lowercase").asBoolean(true);
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (n.path("clean_text").asBoolean(true)) {
        if (c == 0 || c == 0xFFFD || (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')) continue;
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
          sb.append(' ');
          continue;
        }
      }
      if (n.path("handle_chinese_chars").asBoolean(true) && isCjk(c)) {
        sb.append(' ').appendCodePoint(c).append(' ');
      } else {
        sb.appendCodePoint(c);
      }
    }
    String out = sb.toString();
    JsonNode strip = n.path("strip_accents");
    if (strip.isBoolean() ? strip.asBoolean() : lower) out = stripAccents(out);
    return lower ? out.toLowerCase(Locale.ROOT) : out;
  }

  private static boolean isCjk(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
  }

  private static String stripAccents(String s) {
    String d = Normalizer.normalize(s, Normalizer.Form.NFD);
    StringBuilder sb = new StringBuilder(d.length());
    for (int i = 0; i < d.length(); ) {
      int c = d.codePointAt(i);
      i += Character.charCount(c);
      if (Character.getType(c) != Character.NON_SPACING_MARK) sb.appendCodePoint(c);
    }
    return sb.toString();
  }

  List<String> preTokenise(String s) {
    List<String> words = new ArrayList<>(List.of(s));
    for (String p : preTokenizers) {
      List<String> next = new ArrayList<>();
      for (String w : words) {
        switch (p) {
          case "Whitespace" -> {
            Matcher m = WHITESPACE_WORDS.matcher(w);
            while (m.find()) next.add(m.group());
          }
          case "WhitespaceSplit" -> {
            for (String t : w.split("\\s+")) if (!t.isEmpty()) next.add(t);
          }
          default -> bertSplit(w, next);
        }
      }
      words = next;
    }
    return words;
  }

  private static void bertSplit(String w, List<String> out) {
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < w.length(); ) {
      int c = w.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        flush(cur, out);
      } else if (isPunctuation(c)) {
        flush(cur, out);
        out.add(new String(Character.toChars(c)));
      } else {
        cur.appendCodePoint(c);
      }
    }
    flush(cur, out);
  }

  private static void flush(StringBuilder cur, List<String> out) {
    if (cur.length() > 0) {
      out.add(cur.toString());
      cur.setLength(0);
    }
  }

  private static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    int t = Character.getType(c);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
        || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
        || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
  }

  /** Greedy longest-match-first WordPiece, as BERT's tokenizer: a word with no full cover is one [UNK]. */
  private void wordPiece(String word, List<Integer> ids) {
    if (word.codePointCount(0, word.length()) > maxWordChars) {
      ids.add(unkId);
      return;
    }
    List<Integer> pieces = new ArrayList<>();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (start < end) {
        String sub = (start > 0 ? prefix : "") + word.substring(start, end);
        found = vocab.get(sub);
        if (found != null) break;
        end = word.offsetByCodePoints(end, -1);
      }
      if (found == null) {
        ids.add(unkId);
        return;
      }
      pieces.add(found);
      start = end;
    }
    ids.addAll(pieces);
  }
}
