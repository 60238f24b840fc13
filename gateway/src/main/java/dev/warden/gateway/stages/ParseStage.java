package dev.warden.gateway.stages;

import dev.warden.gateway.pipeline.Endpoint;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.protocol.MalformedInputException;
import dev.warden.gateway.protocol.OipCodec;
import dev.warden.gateway.protocol.TfCodec;
import io.vertx.core.Future;

/**
 * Step 4: reads the body within the route's limit and decodes it into the internal tensor model
 * (OIP JSON or binary, TF predict). A malformed body is a 422 naming the field. OpenAI bodies are
 * read and parsed before routing (the model is in the body), so this stage passes them through.
 */
public final class ParseStage implements Stage {
  private final long maxBodyBytes;

  public ParseStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Phase phase() {
    return Phase.PARSE;
  }

  @Override
  public String name() {
    return "parse";
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    Endpoint e = ex.endpoint();
    if (!e.inference()) {
      return null;
    }
    if (ex.body() != null) {
      if (ex.body().length() > maxBodyBytes) {
        throw new StageRejection(413, "body_too_large",
            "request body exceeds the route's limit of " + maxBodyBytes + " bytes");
      }
      return null;
    }
    return BodyReader.read(ex.request(), maxBodyBytes).map(body -> {
      ex.body(body);
      try {
        if (e == Endpoint.OIP_INFER) {
          ex.inference(OipCodec.decodeRequest(body, ex.request().getHeader(OipCodec.HEADER_LENGTH)));
        } else if (e == Endpoint.TF_PREDICT) {
          ex.inference(TfCodec.decodeRequest(body));
        }
      } catch (MalformedInputException m) {
        throw new StageRejection(422, "malformed_input", m.getMessage());
      }
      return null;
    });
  }
}
