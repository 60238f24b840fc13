package dev.warden.detectors.query;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongIntMultiIndexTest {
  @Test
  void randomOperations_matchAHashMap_includingBackwardShiftDeletes() {
    LongIntMultiIndex idx = new LongIntMultiIndex(4);
    Map<Long, int[]> ref = new HashMap<>();
    SplittableRandom r = new SplittableRandom(5);
    for (int op = 0; op < 200_000; op++) {
      long key = 1 + r.nextInt(3000); // small key space: many collisions, growth and deletes
      if (r.nextInt(3) == 0 && ref.containsKey(key)) {
        int[] v = ref.get(key);
        v[1]--;
        if (v[1] == 0) ref.remove(key);
        idx.update(key, v[0], -1);
      } else {
        int head = r.nextInt(1 << 20);
        int[] v = ref.computeIfAbsent(key, k -> new int[2]);
        v[0] = head;
        v[1]++;
        idx.update(key, head, 1);
      }
      if (op % 1000 == 0) {
        for (long k = 1; k <= 3000; k++) {
          int[] v = ref.get(k);
          assertEquals(v == null ? -1 : v[0], idx.head(k), "key " + k + " after op " + op);
        }
        assertEquals(ref.size(), idx.size());
      }
    }
  }
}
