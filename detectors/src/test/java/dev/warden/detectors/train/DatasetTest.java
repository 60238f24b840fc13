package dev.warden.detectors.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DatasetTest {
  @Test
  void digits_load_withExpectedShapeAndRange() {
    Dataset d = Datasets.digits();
    assertEquals(1797, d.size());
    assertEquals(64, d.features());
    assertEquals(10, d.numClasses());
    float max = 0;
    for (float[] r : d.x()) for (float v : r) max = Math.max(max, v);
    assertEquals(16f, max);
    assertEquals(0, d.label(0));
  }

  @Test
  void breastCancer_load_withExpectedShape() {
    Dataset d = Datasets.breastCancer();
    assertEquals(569, d.size());
    assertEquals(30, d.features());
    assertEquals(2, d.numClasses());
    assertEquals(17.99f, d.row(0)[0]);
  }

  @Test
  void stratifiedSplit_isDeterministic_disjoint_andStratified() {
    Dataset d = Datasets.digits();
    Dataset.Split a = d.stratifiedSplit(0.2, 1);
    Dataset.Split b = d.stratifiedSplit(0.2, 1);
    Dataset.Split c = d.stratifiedSplit(0.2, 2);
    assertEquals(d.size(), a.train().size() + a.test().size());
    assertArrayEquals(a.test().x(), b.test().x());
    assertFalse(java.util.Arrays.deepEquals(a.test().x(), c.test().x()));
    for (int k = 0; k < 10; k++) {
      int total = d.onlyLabel(k).size();
      int inTest = a.test().onlyLabel(k).size();
      assertEquals(Math.round(0.2 * total), inTest, "class " + k);
    }
    assertEquals(10, a.test().numClasses());
  }

  @Test
  void badInput_isRefusedWithCause() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Dataset(new float[][] {{1, 2}, {3}}, new int[] {0, 1}));
    assertTrue(e.getMessage().contains("row 1"));
    assertThrows(IllegalArgumentException.class, () -> Datasets.digits().stratifiedSplit(1.0, 0));
  }

  @Test
  void idxFiles_areRead_gzipOrPlain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // a 3-image 2x2 IDX pair written here (format: big-endian magic, counts, then bytes)
    java.io.ByteArrayOutputStream img = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream d = new java.io.DataOutputStream(img);
    d.writeInt(0x803); d.writeInt(3); d.writeInt(2); d.writeInt(2);
    d.write(new byte[] {0, 1, 2, (byte) 255, 4, 5, 6, 7, 8, 9, 10, 11});
    java.io.ByteArrayOutputStream lab = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream l = new java.io.DataOutputStream(lab);
    l.writeInt(0x801); l.writeInt(3);
    l.write(new byte[] {7, 0, 9});
    java.nio.file.Path ip = dir.resolve("img-idx3-ubyte.gz");
    try (var gz = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(ip))) { gz.write(img.toByteArray()); }
    java.nio.file.Path lp = dir.resolve("lab-idx1-ubyte");
    java.nio.file.Files.write(lp, lab.toByteArray());
    Dataset ds = Datasets.idx(ip, lp, 2);
    assertEquals(2, ds.size());
    assertArrayEquals(new float[] {0, 1, 2, 255}, ds.row(0));
    assertEquals(7, ds.label(0));
    assertEquals(0, ds.label(1));
    assertThrows(IllegalArgumentException.class, () -> Datasets.idx(lp, lp, 1), "label file is not an image file");
  }
}
