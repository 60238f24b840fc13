package dev.warden.detectors.query;

import java.util.Arrays;

/**
 * Open-addressing (linear probing, backward-shift deletion) map from a 64-bit hash to the head node
 * of its posting list and the list's length, in primitive arrays: no boxing, no per-entry objects.
 * Key 0 marks an empty slot, so callers never store key 0. Not thread-safe.
 */
final class LongIntMultiIndex {
  /** Largest load factor before the table doubles: linear probing stays short below 1/2. */
  private static final double MAX_LOAD = 0.5;

  private long[] keys;
  private int[] heads;
  private int[] lengths;
  private int mask;
  private int size;

  LongIntMultiIndex(int expectedKeys) {
    int cap = Integer.highestOneBit(Math.max(16, (int) Math.min(1 << 30, (long) (expectedKeys / MAX_LOAD)))) << 1;
    alloc(cap);
  }

  private void alloc(int cap) {
    keys = new long[cap];
    heads = new int[cap];
    lengths = new int[cap];
    mask = cap - 1;
  }

  private int slotOf(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    int i = (int) (h >>> 40) & mask;
    while (keys[i] != 0 && keys[i] != key) i = (i + 1) & mask;
    return i;
  }

  /** Head node for {@code key}, or -1. */
  int head(long key) {
    int i = slotOf(key);
    return keys[i] == 0 ? -1 : heads[i];
  }

  /** Sets the head and adds {@code lengthDelta} to the length; removes the key when the length reaches 0. */
  void update(long key, int head, int lengthDelta) {
    int i = slotOf(key);
    if (keys[i] == 0) {
      if (lengthDelta <= 0) return;
      keys[i] = key;
      heads[i] = head;
      lengths[i] = lengthDelta;
      if (++size > mask * MAX_LOAD) grow();
      return;
    }
    lengths[i] += lengthDelta;
    if (lengths[i] <= 0) {
      removeAt(i);
    } else {
      heads[i] = head;
    }
  }

  /** Length of {@code key}'s list, or 0. */
  int length(long key) {
    int i = slotOf(key);
    return keys[i] == 0 ? 0 : lengths[i];
  }

  /** Sets the head of an existing key (no length change). */
  void setHead(long key, int head) {
    int i = slotOf(key);
    if (keys[i] != 0) heads[i] = head;
  }

  private void removeAt(int i) {
    size--;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      if (keys[j] == 0) break;
      int k = (int) ((keys[j] * 0x9E3779B97F4A7C15L) >>> 40) & mask;
      boolean between = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!between) {
        keys[i] = keys[j];
        heads[i] = heads[j];
        lengths[i] = lengths[j];
        i = j;
      }
    }
    keys[i] = 0;
    heads[i] = 0;
    lengths[i] = 0;
  }

  private void grow() {
    long[] ok = keys;
    int[] oh = heads;
    int[] ol = lengths;
    alloc(ok.length * 2);
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] != 0) {
        int s = slotOf(ok[i]);
        keys[s] = ok[i];
        heads[s] = oh[i];
        lengths[s] = ol[i];
      }
    }
  }

  int size() { return size; }

  long memoryBytes() { return (long) keys.length * (8 + 4 + 4); }

  void clear() {
    Arrays.fill(keys, 0);
    size = 0;
  }
}
