package dev.warden.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestedOutputsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anOutputsOwnFlag_overridesTheRequestDefault() throws Exception {
    RequestedOutputs r = RequestedOutputs.of(header("{\"parameters\":{\"binary_data_output\":true},\"outputs\":["
        + "{\"name\":\"a\",\"parameters\":{\"binary_data\":false}},{\"name\":\"b\"},"
        + "{\"name\":\"c\",\"parameters\":{\"binary_data_output\":false}}]}"));

    assertEquals(List.of("a", "b", "c"), r.names());
    assertFalse(r.binary("a"));
    assertTrue(r.binary("b"));
    assertFalse(r.binary("c"));
    assertTrue(r.binary("unnamed"), "outputs the request does not name take the default");
  }

  @Test
  void withoutOutputsOrParameters_allOutputsComeAsJson() throws Exception {
    RequestedOutputs r = RequestedOutputs.of(header("{\"inputs\":[]}"));

    assertEquals(List.of(), r.names());
    assertFalse(r.binary("any"));
  }

  @Test
  void malformedOutputEntries_areRefusedNamingTheField() {
    assertEquals("outputs[0].name: required string", message("{\"outputs\":[{}]}"));
    assertEquals("outputs: expected an array", message("{\"outputs\":{}}"));
    assertEquals("outputs[0].parameters.binary_data: expected true or false",
        message("{\"outputs\":[{\"name\":\"a\",\"parameters\":{\"binary_data\":1}}]}"));
    assertEquals("parameters: expected an object", message("{\"parameters\":3}"));
  }

  private static String message(String json) {
    return assertThrows(MalformedInputException.class, () -> RequestedOutputs.of(header(json))).getMessage();
  }

  private static ObjectNode header(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }
}
