/**
 * picocli commands of the model-signing CLI, to be registered under the {@code warden} top-level command:
 * {@link dev.warden.verifier.cli.SignCommand} ({@code sign key|certificate}), {@link
 * dev.warden.verifier.cli.VerifyCommand} ({@code verify key|certificate|sigstore}), {@link
 * dev.warden.verifier.cli.DigestCommand} ({@code digest}) and {@link dev.warden.verifier.cli.KeygenCommand}
 * ({@code keygen}). Each returns its exit code (0 ok, 1 check failed, 2 usage) and never calls
 * {@code System.exit}. Progress goes to stderr only on a terminal and without {@code --quiet}; results go to
 * stdout ({@code --json} for one JSON object).
 */
package dev.warden.verifier.cli;
