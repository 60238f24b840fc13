package dev.warden.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server side of an OIP infer request: the outputs it names ({@code outputs[].name}, in order; empty means
 * all) and which of them to return in the binary tensor extension. An output is binary when its entry
 * says {@code parameters.binary_data} (or {@code binary_data_output}) true, or when the request's
 * top-level {@code parameters.binary_data_output} is true and its entry does not say otherwise.
 *
 * @param binaryByName each named output and whether it is wanted in binary, in request order
 * @param binaryByDefault the request's {@code parameters.binary_data_output}, for outputs it does not name
 */
public record RequestedOutputs(Map<String, Boolean> binaryByName, boolean binaryByDefault) {
  public RequestedOutputs {
    binaryByName = Collections.unmodifiableMap(new LinkedHashMap<>(binaryByName));
  }

  /** Reads {@code outputs} and {@code parameters} of a decoded request's header. */
  public static RequestedOutputs of(ObjectNode header) throws MalformedInputException {
    boolean byDefault = flag(header.get("parameters"), "binary_data_output", "parameters", false);
    Map<String, Boolean> named = new LinkedHashMap<>();
    JsonNode outputs = header.get("outputs");
    if (outputs != null && !outputs.isNull()) {
      if (!outputs.isArray()) {
        throw new MalformedInputException("outputs: expected an array");
      }
      for (int i = 0; i < outputs.size(); i++) {
        String where = "outputs[" + i + "]";
        JsonNode o = outputs.get(i);
        if (!o.isObject()) {
          throw new MalformedInputException(where + ": expected an object");
        }
        JsonNode params = o.get("parameters");
        boolean binary = flag(params, "binary_data", where + ".parameters",
            flag(params, "binary_data_output", where + ".parameters", byDefault));
        named.put(OipCodec.text(o, "name", where), binary);
      }
    }
    return new RequestedOutputs(named, byDefault);
  }

  /** The named outputs in request order; empty when the request names none (then: all). */
  public List<String> names() {
    return new ArrayList<>(binaryByName.keySet());
  }

  /** Whether to return {@code output} in binary. */
  public boolean binary(String output) {
    return binaryByName.getOrDefault(output, binaryByDefault);
  }

  private static boolean flag(JsonNode params, String key, String where, boolean otherwise)
      throws MalformedInputException {
    if (params == null || params.isNull()) {
      return otherwise;
    }
    if (!params.isObject()) {
      throw new MalformedInputException(where + ": expected an object");
    }
    JsonNode v = params.get(key);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isBoolean()) {
      throw new MalformedInputException(where + "." + key + ": expected true or false");
    }
    return v.booleanValue();
  }
}
