package dev.warden.detectors.onnx;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactGateTest {
  @TempDir Path dir;

  @Test
  void admittedFiles_areReturnedAsRead() throws Exception {
    Path f = Files.write(dir.resolve("m.onnx"), new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, ArtifactGate.NONE.readAdmitted(dir, List.of(f)).get(0));
  }

  @Test
  void refusingGate_meansSecurityException_namingWhy() throws Exception {
    Path f = Files.write(dir.resolve("m.onnx"), new byte[] {1});
    SecurityException e = assertThrows(SecurityException.class,
        () -> ((ArtifactGate) p -> { throw new Exception("signature does not verify"); }).readAdmitted(dir, List.of(f)));
    assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
  }

  @Test
  void fileChangedWhileTheGateLooked_isRefused() throws Exception {
    Path f = Files.write(dir.resolve("m.onnx"), new byte[] {1});
    ArtifactGate swapping = p -> Files.write(f, new byte[] {2});
    assertThrows(SecurityException.class, () -> swapping.readAdmitted(dir, List.of(f)));
  }

  @Test
  void fileOutsideTheSignedRoot_isRefusedBeforeReading() throws Exception {
    Path root = Files.createDirectories(dir.resolve("signed"));
    Path outside = Files.write(dir.resolve("other.onnx"), new byte[] {1});
    assertThrows(SecurityException.class, () -> ArtifactGate.NONE.readAdmitted(root, List.of(root.resolve("../other.onnx"))));
    assertThrows(SecurityException.class, () -> ArtifactGate.NONE.readAdmitted(root, List.of(outside)));
  }
}
