/**
 * Wire format of OpenSSF model signing: the in-toto statement ({@link dev.warden.verifier.oms.InTotoStatement}),
 * DSSE pre-authentication encoding ({@link dev.warden.verifier.oms.Dsse}) and the Sigstore bundle v0.3 JSON
 * ({@link dev.warden.verifier.oms.SigstoreBundle}). Parsing is strict (duplicate JSON keys, unknown types,
 * unsafe paths and oversized input are refused with a message naming the cause) and bounded.
 */
package dev.warden.verifier.oms;
