package dev.warden.detectors.digest;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void jsonIntegers_areRangeChecked_andFractionsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromJson("x", DataType.UINT8, new long[] {1}, List.of(256)));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromJson("x", DataType.INT8, new long[] {1}, List.of(-129)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromJson("x", DataType.INT32, new long[] {1}, List.of(1.5)));
    assertTrue(e.getMessage().contains("not an integer"));
    assertEquals(255f, Tensor.fromJson("x", DataType.UINT8, new long[] {1}, List.of(255)).toFloatArray()[0]);
    assertEquals(4f, Tensor.fromJson("x", DataType.INT64, new long[] {1}, List.of(4.0)).toFloatArray()[0]);
  }

  @Test
  void elementCount_mustMatchShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromJson("img", DataType.FP32, new long[] {1, 64}, List.of(1, 2, 3)));
    assertTrue(e.getMessage().contains("'img'"));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromBinary("img", DataType.FP32, new long[] {2}, new byte[7]));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromBinary("img", DataType.FP32, new long[] {-1}, new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromBinary("img", DataType.FP32, new long[] {1L << 40, 1L << 40}, new byte[0]));
  }

  @Test
  void malformedBytes_areRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromBinary("s", DataType.BYTES, new long[] {1}, new byte[] {5, 0, 0, 0, 'a'}));
    assertThrows(IllegalArgumentException.class,
        () -> Tensor.fromBinary("s", DataType.BYTES, new long[] {1}, new byte[] {1, 0, 0, 0, 'a', 'b'}));
    assertThrows(IllegalArgumentException.class, () -> Tensor.fromJson("s", DataType.BYTES, new long[] {1}, List.of(1)));
  }

  @Test
  void fp16_conversionsRoundTrip() {
    for (float f : new float[] {0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.333f}) {
      float back = Half.toFloat(Half.fromFloat(f));
      assertEquals(f, back, Math.abs(f) * 1e-3 + 1e-9, "value " + f);
    }
    assertTrue(Float.isInfinite(Half.toFloat(Half.fromFloat(1e6f))));
    assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
  }

  @Test
  void toFloatArray_convertsNumericTypes() {
    assertArrayEquals(new float[] {1f, 0f}, Tensor.fromJson("b", DataType.BOOL, new long[] {2}, List.of(true, false)).toFloatArray());
    assertArrayEquals(new float[] {-3f, 4f}, Tensor.fromJson("i", DataType.INT16, new long[] {2}, List.of(-3, 4)).toFloatArray());
    assertArrayEquals(new float[] {1.5f}, Tensor.fromJson("d", DataType.FP64, new long[] {1}, List.of(1.5)).toFloatArray());
    assertEquals(DataType.FP32, DataType.fromOip("fp32"));
    assertThrows(IllegalArgumentException.class, () -> DataType.fromOip("FLOAT"));
  }
}
