package dev.warden.detectors.digest;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenyListTest {
  final InputDigester digester = new InputDigester(DigestKey.generate());
  final InputDigest bad = digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {13})));
  final InputDigest good = digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {14})));

  @Test
  void deniedDigest_isRefused_untilAllowedAgain() {
    DenyList d = new DenyList();
    d.deny(bad, "known poisoning trigger");
    assertTrue(d.isDenied(bad));
    assertEquals("known poisoning trigger", d.reason(bad).orElseThrow());
    assertFalse(d.isDenied(good));
    assertTrue(d.allow(bad));
    assertFalse(d.isDenied(bad));
    assertFalse(d.allow(bad));
  }

  @Test
  void fileRoundTrip_andCommentsIgnored(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("deny.txt");
    Files.writeString(f, "# policy deny-list\n\n" + bad.hex().toUpperCase() + "  trigger image\n" + good.hex() + "\n");
    DenyList d = DenyList.load(f);
    assertEquals(2, d.size());
    assertEquals("trigger image", d.reason(bad).orElseThrow());
    assertEquals("denied by policy file", d.reason(good).orElseThrow());
    Path g = dir.resolve("saved.txt");
    d.save(g);
    assertEquals(d.snapshot(), DenyList.load(g).snapshot());
  }

  @Test
  void malformedLine_refusesWholeFile_namingTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("deny.txt");
    Files.writeString(f, bad.hex() + "\nnot-a-digest reason\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DenyList.load(f));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
