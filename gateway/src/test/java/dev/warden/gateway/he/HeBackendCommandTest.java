package dev.warden.gateway.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.cli.WardenCli;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code warden he-backend} on the command line: listed, documented, a missing models folder is exit 1,
 * and it refuses to start without caller authentication.
 */
class HeBackendCommandTest {
  @TempDir Path dir;

  @Test
  void helpNamesTheOptions_andAMissingModelsFolderFailsWithExit1() throws Exception {
    CommandLine cl = WardenCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("he-backend", "--help"));
    assertTrue(out.toString().contains("--models") && out.toString().contains("--public-key"), out.toString());

    Path pub = dir.resolve("k.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), dir.resolve("k.pem"), pub);
    CommandLine cl2 = WardenCli.commandLine();
    StringWriter err = new StringWriter();
    cl2.setErr(new PrintWriter(err));
    assertEquals(1, cl2.execute("he-backend", "--models", dir.resolve("none").toString(), "--public-key",
        pub.toString(), "--port", "0", "--allow-unauthenticated"));
    assertTrue(err.toString().contains("does not exist"), err.toString());
  }

  @Test
  void withoutATokenFileOrClientCa_theBackendDoesNotStart_exit2() throws Exception {
    Path pub = dir.resolve("k.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), dir.resolve("k.pem"), pub);
    CommandLine cl = WardenCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("he-backend", "--models", dir.toString(), "--public-key", pub.toString(), "--port", "0"));
    assertTrue(err.toString().contains("--token-file"), err.toString());
    java.nio.file.Files.writeString(dir.resolve("short-token"), "abc\n");
    CommandLine cl2 = WardenCli.commandLine();
    StringWriter err2 = new StringWriter();
    cl2.setErr(new PrintWriter(err2));
    assertEquals(1, cl2.execute("he-backend", "--models", dir.toString(), "--public-key", pub.toString(), "--port", "0",
        "--token-file", dir.resolve("short-token").toString()));
    assertTrue(err2.toString().contains("short-token"), "names the token file: " + err2);
  }
}
