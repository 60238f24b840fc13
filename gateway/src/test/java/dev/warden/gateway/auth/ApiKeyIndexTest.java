package dev.warden.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyIndexTest {

  @Test
  void hashHex_isSha256OfTheUtf8Key() {
    // FIPS 180-2 test vector: SHA-256("abc")
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyIndex.hashHex("abc"));
  }

  @Test
  void aKeyMapsToTheTenantListingItsHash_andNothingElseMatches() {
    ApiKeyIndex index = ApiKeyIndex.of(Map.of(
        "acme", List.of(ApiKeyIndex.hashHex("key-a1"), ApiKeyIndex.hashHex("key-a2")),
        "globex", List.of(ApiKeyIndex.hashHex("key-g"))));

    assertEquals("acme", index.tenantFor("key-a1"));
    assertEquals("acme", index.tenantFor("key-a2"));
    assertEquals("globex", index.tenantFor("key-g"));
    assertNull(index.tenantFor("key-a"));
    assertNull(index.tenantFor(""));
    assertNull(index.tenantFor(ApiKeyIndex.hashHex("key-g")), "the stored hash is not itself a key");
    assertEquals(3, index.size());
  }

  @Test
  void theSameHashForTwoTenants_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKeyIndex.of(Map.of(
        "acme", List.of(ApiKeyIndex.hashHex("shared")), "globex", List.of(ApiKeyIndex.hashHex("shared")))));
    assertTrue(e.getMessage().contains("acme") && e.getMessage().contains("globex"), e.getMessage());
  }

  @Test
  void aLineThatIsNotASha256_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> ApiKeyIndex.of(Map.of("acme", List.of("abcd"))));
    assertThrows(IllegalArgumentException.class, () -> ApiKeyIndex.of(Map.of("acme", List.of("zz".repeat(32)))));
  }
}
