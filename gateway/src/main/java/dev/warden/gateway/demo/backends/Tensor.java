package dev.warden.gateway.demo.backends;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as the demo model server handles it: datatype, shape and the row-major element bytes in
 * little-endian order (the byte layout of the OIP binary tensor extension). Immutable by convention: the
 * buffer is not modified after construction; readers use absolute gets or {@link #data()} duplicates.
 */
final class Tensor {
  private final String name;
  private final TensorType type;
  private final long[] shape;
  private final ByteBuffer data;

  Tensor(String name, TensorType type, long[] shape, ByteBuffer data) {
    this.name = name;
    this.type = type;
    this.shape = shape.clone();
    this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long expected = elementCount(shape) * type.byteSize();
    if (this.data.remaining() != expected) {
      throw BackendException.invalidInput(
          name + ": holds " + this.data.remaining() + " bytes, shape " + Arrays.toString(shape) + " of "
              + type.oipName() + " needs " + expected);
    }
  }

  String name() {
    return name;
  }

  TensorType type() {
    return type;
  }

  long[] shape() {
    return shape.clone();
  }

  /** A read-only little-endian view of the element bytes, position 0. */
  ByteBuffer data() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  int byteSize() {
    return data.remaining();
  }

  long elementCount() {
    return elementCount(shape);
  }

  /** Product of the dimensions; refuses negative dimensions and sizes beyond 2 GiB of elements. */
  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw BackendException.invalidInput("shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      n = Math.multiplyExact(n, d);
      if (n > Integer.MAX_VALUE) {
        throw BackendException.invalidInput("shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return n;
  }
}
