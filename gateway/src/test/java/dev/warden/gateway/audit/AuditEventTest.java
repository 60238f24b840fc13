package dev.warden.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  @Test
  void builder_keepsStagesInPipelineOrder() {
    AuditEvent e = AuditEvent.builder().status(200)
        .stage("tenant", "allow", null).stage("route", "allow", "r1").stage("audit", "allow", null)
        .build();
    assertEquals(List.of("tenant", "route", "audit"),
        e.stages().stream().map(AuditEvent.Stage::stage).toList());
    assertThrows(UnsupportedOperationException.class, () -> e.stages().clear());
  }

  @Test
  void missingStatus_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AuditEvent.builder().build());
    assertTrue(e.getMessage().contains("status"));
  }

  @Test
  void negativeOrNonFiniteLatency_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> AuditEvent.builder().status(200).latencyMs(-1).build());
    assertThrows(IllegalArgumentException.class,
        () -> AuditEvent.builder().status(200).latencyMs(Double.NaN).build());
  }

  @Test
  void extraOfAnUnsupportedType_isRefusedNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuditEvent.builder().status(200).extra("when", new Object()).build());
    assertTrue(e.getMessage().contains("extra.when"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AuditEvent.builder().status(200).extra("eps", Double.POSITIVE_INFINITY).build());
  }

  @Test
  void extra_isCopiedDeeply_soLaterChangesByTheCallerDoNotReachTheWriter() {
    List<Object> tokens = new ArrayList<>(List.of(1, 2));
    Map<String, Object> usage = new HashMap<>(Map.of("tokens", tokens));
    AuditEvent e = AuditEvent.builder().status(200).extra("usage", usage).build();
    tokens.add(3);
    usage.put("later", true);
    @SuppressWarnings("unchecked")
    Map<String, Object> got = (Map<String, Object>) e.extra().get("usage");
    assertEquals(List.of(1, 2), got.get("tokens"));
    assertFalse(got.containsKey("later"));
  }

  @Test
  void time_defaultsToNow() {
    Instant before = Instant.now();
    AuditEvent e = AuditEvent.builder().status(200).build();
    assertNotNull(e.time());
    assertFalse(e.time().isBefore(before));
  }

  @Test
  void toString_isOneCompactLineWithoutNullFields() {
    AuditEvent e = AuditEvent.builder().time(Instant.parse("2026-01-01T00:00:00Z"))
        .requestId("r1").tenant("acme").model("digits").modelVersion("3").status(502)
        .code("backend_unavailable").latencyMs(3.5).stage("route", "allow", null).build();
    assertEquals("AuditEvent[2026-01-01T00:00:00.000Z id=r1 tenant=acme model=digits:3 status=502"
        + " code=backend_unavailable latencyMs=3.5 stages=1]", e.toString());
  }
}
