/**
 * Parallel, safe hashing of a model tree into a {@link dev.warden.verifier.hashing.Manifest}: files or
 * fixed-size shards, SHA-256 (JDK intrinsic), never following a symlink out of the tree, failing on a file
 * modified while read, with optional stat-based skipping ({@link dev.warden.verifier.hashing.StatCache}).
 * The design and its costs are described on {@link dev.warden.verifier.hashing.ModelHasher}.
 */
package dev.warden.verifier.hashing;
