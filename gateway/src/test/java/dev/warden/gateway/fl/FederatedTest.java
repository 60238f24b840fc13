package dev.warden.gateway.fl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Path routing of {@link Federated} (the library-code → HTTP-status mapping is tested in crypto). */
class FederatedTest {
  @Test
  void paths_routeToTheirEndpoints() {
    assertEquals(new Federated.Call("create", true, null, null), Federated.Call.parse(HttpMethod.POST, "/v1/fl/rounds"));
    assertEquals(new Federated.Call("config", false, "r-1", null), Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r-1"));
    assertEquals(new Federated.Call("advertise-keys", false, "r", 7), Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/advertise-keys/7"));
    assertEquals(new Federated.Call("share-keys", true, "r", null), Federated.Call.parse(HttpMethod.POST, "/v1/fl/rounds/r/share-keys"));
    assertEquals(new Federated.Call("unmask", false, "r", null), Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/unmask"));
    assertEquals(new Federated.Call("result", false, "r", null), Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/result"));
  }

  @Test
  void wrongMethodsTraversalAndUnknownPaths_areNotRouted() {
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds"));
    assertNull(Federated.Call.parse(HttpMethod.POST, "/v1/fl/rounds/r/result"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/masked-input"));
    assertNull(Federated.Call.parse(HttpMethod.DELETE, "/v1/fl/rounds/r"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/../status"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/.hidden/status"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/advertise-keys/0"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/unmask/1"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/rounds/r/status/"));
    assertNull(Federated.Call.parse(HttpMethod.GET, "/v1/fl/other"));
  }
}
