package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sigstore.bundle.Bundle;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * The gateway's class path is the one place sigstore-java (protobuf 4, BC pinned by sigstore), Bouncy
 * Castle and ONNX Runtime (with tribuo's ONNX protobuf classes) all load together. BUILD.md lists the
 * clashes that only show here (NoClassDefFoundError RuntimeVersion$RuntimeDomain on the first
 * Bundle.from; NoSuchFieldError in new BouncyCastleProvider()). One test runs all three in one JVM.
 */
class SharedClasspathTest {

  @Test
  void sigstoreBundleParsing_bouncyCastleProvider_andOnnxRuntime_workTogether() throws Exception {
    // 1. sigstore-java parses a real keyless bundle (protobuf-java-util on the shared class path).
    Bundle bundle;
    try (InputStream in = getClass().getResourceAsStream("/sigstore/model-transparency-v1.0.0-keyless.sigstore.json")) {
      assertNotNull(in, "test bundle missing");
      bundle = Bundle.from(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", bundle.getMediaType());
    assertTrue(bundle.getDsseEnvelope().isPresent());
    assertEquals("application/vnd.in-toto+json", bundle.getDsseEnvelope().get().getPayloadType());
    assertTrue(bundle.getDsseEnvelope().get().getPayloadAsString().contains("\"predicateType\""));
    assertFalse(bundle.getEntries().isEmpty(), "the Rekor entry is parsed");
    X509Certificate leaf = (X509Certificate) bundle.getCertPath().getCertificates().get(0);
    boolean email = false;
    for (List<?> san : leaf.getSubjectAlternativeNames()) {
      email |= "stefanb@us.ibm.com".equals(san.get(1));
    }
    assertTrue(email, "the Fulcio certificate names the signer: " + leaf.getSubjectAlternativeNames());

    // 2. The Bouncy Castle provider loads (bcprov/bcutil versions agree) and signs and verifies.
    BouncyCastleProvider bc = new BouncyCastleProvider();
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519", bc);
    KeyPair kp = g.generateKeyPair();
    Signature signer = Signature.getInstance("Ed25519", bc);
    signer.initSign(kp.getPrivate());
    byte[] message = bundle.getDsseEnvelope().get().getPAE();
    signer.update(message);
    byte[] sig = signer.sign();
    Signature verifier = Signature.getInstance("Ed25519", bc);
    verifier.initVerify(kp.getPublic());
    verifier.update(message);
    assertTrue(verifier.verify(sig));
    message[0] ^= 1;
    verifier.initVerify(kp.getPublic());
    verifier.update(message);
    assertFalse(verifier.verify(sig), "a changed message must not verify");

    // 3. ONNX Runtime runs a tiny model built with tribuo's ONNX protobuf classes: y = x + x.
    OnnxMl.TypeProto floatVec = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .setShape(OnnxMl.TensorShapeProto.newBuilder().addDim(
            OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(3)))).build();
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("warden-test")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(OnnxMl.GraphProto.newBuilder().setName("double")
            .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(floatVec))
            .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(floatVec))
            .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("x").addOutput("y")))
        .build();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(env, new float[] {1.5f, -2f, 0.25f});
        OrtSession.Result result = session.run(Map.of("x", x))) {
      float[] y = (float[]) result.get(0).getValue();
      assertArrayEquals(new float[] {3f, -4f, 0.5f}, y);
    }
  }
}
