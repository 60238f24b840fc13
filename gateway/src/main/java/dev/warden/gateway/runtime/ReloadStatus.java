package dev.warden.gateway.runtime;

import java.time.Instant;

/** What the last policy (re)load did, for {@code /admin/policy}. */
public record ReloadStatus(Instant at, boolean ok, String error, long reloads, long failures) {}
