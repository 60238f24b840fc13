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

/** {@code warden he-backend} on the command line: listed, documented, and a missing models folder is exit 1. */
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
        pub.toString(), "--port", "0"));
    assertTrue(err.toString().contains("does not exist"), err.toString());
  }
}
