/**
 * The screening stage's plain-Java API (step 6 of the gateway pipeline): the gateway builds one
 * {@link dev.warden.detectors.screen.Screen} per route from the policy's screen list
 * ({@link dev.warden.detectors.screen.ScreenConfig}: name, threshold, timeoutMs, onError) and a
 * {@link dev.warden.detectors.screen.DetectorRegistry}, and calls
 * {@link dev.warden.detectors.screen.Screen#screen} per request with a
 * {@link dev.warden.detectors.screen.ScreenInput} (tenant, route, model, tensors or text) and the
 * input digest. The {@link dev.warden.detectors.screen.ScreenResult} holds one
 * {@link dev.warden.detectors.screen.Verdict} (PASS/FLAG, screen, score, reason, error) per screen;
 * the gateway applies the route's action (block / silent / throttle / audit) and records every
 * verdict. Stateless screens' verdicts are cached per tenant in the
 * {@link dev.warden.detectors.screen.VerdictCache}.
 */
package dev.warden.detectors.screen;
