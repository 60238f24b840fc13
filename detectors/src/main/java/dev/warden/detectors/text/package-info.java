/**
 * Text screens for the OpenAI chat endpoint.
 *
 * <ul>
 *   <li>{@link dev.warden.detectors.text.InvisibleCharScanner}: tag characters (U+E0000–E007F),
 *       variation selectors, zero-width, bidi controls, other format, private-use, unassigned and
 *       control characters; decodes tag / variation-selector smuggled payloads.</li>
 *   <li>{@link dev.warden.detectors.text.PromptInjectionClassifier}: NFKC + hashed character
 *       n-grams + logistic regression trained by the shared trainer on
 *       {@link dev.warden.detectors.text.InjectionCorpus} (hand-written + templated; the test set is
 *       a separate file), exported to ONNX and run with ONNX Runtime; long prompts scored in
 *       overlapping chunks (max).</li>
 *   <li>{@link dev.warden.detectors.text.OnnxTextClassifier}: the operator slot for a
 *       transformer-style classifier with a {@code tokenizer.json} read by
 *       {@link dev.warden.detectors.text.TokenizerJson} (WordLevel and WordPiece only), scored in
 *       overlapping token windows; {@link dev.warden.detectors.text.ExampleTextClassifier} is a tiny
 *       hand-made one in that layout for tests and docs.</li>
 *   <li>Near-duplicate prompts: {@link dev.warden.detectors.query.ShingleFingerprinter} (keyed
 *       word-shingle bottom-k sketch) over a {@link dev.warden.detectors.query.QueryStore} shared by
 *       all tenants, flagging iterative prompt-optimisation streams.</li>
 * </ul>
 * {@link dev.warden.detectors.text.TextDetectors} wraps each as a
 * {@link dev.warden.detectors.screen.Detector} ("invisible-chars", "prompt-injection",
 * "near-duplicate"). The gateway passes the concatenated message contents as
 * {@link dev.warden.detectors.screen.ScreenInput#ofText}.
 */
package dev.warden.detectors.text;
