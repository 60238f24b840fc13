package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.crypto.secagg.SecAggException.Code;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecAggExceptionTest {
  @Test
  void everyCode_mapsToItsDocumentedHttpStatus() {
    Map<Code, Integer> want = new EnumMap<>(Map.ofEntries(
        Map.entry(Code.MALFORMED, 422), Map.entry(Code.BAD_SIGNATURE, 401), Map.entry(Code.NOT_ENROLLED, 403),
        Map.entry(Code.WRONG_ROUND, 409), Map.entry(Code.WRONG_PHASE, 409), Map.entry(Code.DUPLICATE, 409),
        Map.entry(Code.NOT_READY, 425), Map.entry(Code.ROUND_FAILED, 410), Map.entry(Code.FORBIDDEN, 403),
        Map.entry(Code.NOT_FOUND, 404), Map.entry(Code.PROTOCOL_VIOLATION, 422),
        Map.entry(Code.INVALID_ARGUMENT, 400), Map.entry(Code.IO, 500)));

    assertEquals(Code.values().length, want.size(), "a new code needs its status here");
    want.forEach((code, status) -> assertEquals(status, code.httpStatus(), code.name()));
  }
}
