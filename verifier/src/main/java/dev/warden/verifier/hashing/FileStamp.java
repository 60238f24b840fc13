package dev.warden.verifier.hashing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Identity and change markers of a file as seen by {@code lstat}. */
record FileStamp(Object dev, Object ino, long size, long mtimeNanos, long ctimeNanos) {

  private static final boolean UNIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

  static FileStamp of(Path p) throws IOException {
    if (UNIX) {
      Map<String, Object> a =
          Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
      return new FileStamp(a.get("dev"), a.get("ino"), (Long) a.get("size"),
          nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")));
    }
    var b = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return new FileStamp(null, b.fileKey(), b.size(), nanos(b.lastModifiedTime()), nanos(b.lastModifiedTime()));
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  /** Latest of mtime and ctime, in epoch nanoseconds. */
  long lastChangeNanos() {
    return Math.max(mtimeNanos, ctimeNanos);
  }
}
