package dev.warden.gateway.dpviz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledRowsTest {
  @TempDir Path dir;

  @Test
  void csvWithoutHeader_digitsFormat_isRead() throws Exception {
    Path f = dir.resolve("d.csv");
    Files.writeString(f, "0,16,3\n1,2,9\n\n");
    LabelledRows r = LabelledRows.readCsv(f);
    assertEquals(2, r.size());
    assertEquals(2, r.features());
    assertArrayEquals(new double[] {3, 9}, r.labels());
    assertArrayEquals(new float[] {1, 2}, r.x()[1]);
  }

  @Test
  void csvWithHeader_breastCancerFormat_skipsTheHeader() throws Exception {
    Path f = dir.resolve("b.csv");
    Files.writeString(f, "radius,texture,target\n1.5,2.5,0\n3.5,4.5,1\n");
    LabelledRows r = LabelledRows.readCsv(f);
    assertEquals(2, r.size());
    assertArrayEquals(new double[] {0, 1}, r.labels());
  }

  @Test
  void raggedOrNonNumericRows_areRefusedWithTheLine() throws Exception {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "1,2,0\n1,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelledRows.readCsv(f));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    Files.writeString(f, "1,2,0\n1,x,1\n");
    e = assertThrows(IllegalArgumentException.class, () -> LabelledRows.readCsv(f));
    assertTrue(e.getMessage().contains("line 2 column 2"), e.getMessage());
  }

  @Test
  void digitsTest_isTheStandardHeldOutSplit() throws Exception {
    LabelledRows r = LabelledRows.load("digits-test");
    assertEquals(Recipes.digitsSplit().test().size(), r.size());
    assertEquals(Datasets.DIGITS_FEATURES, r.features());
  }
}
