package dev.warden.gateway.cli;

import dev.warden.gateway.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start the demo on loopback: a demo model server (ONNX Runtime, signed digits model), a "
        + "demo chat backend, and the gateway in front of both. Stays up until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = ".warden-demo", description = "Working folder (keys, model, audit log).")
  Path dir;

  @Option(names = "--port", defaultValue = "8080", description = "Gateway data-plane port.")
  int port;

  @Option(names = "--admin-port", defaultValue = "9090", description = "Gateway admin port.")
  int adminPort;

  @Option(names = "--model-port", defaultValue = "8500", description = "Demo model server port.")
  int modelPort;

  @Option(names = "--chat-port", defaultValue = "8501", description = "Demo chat backend port.")
  int chatPort;

  @Option(names = "--policy", description = "Policy to use instead of policies/examples/demo.yaml.")
  Path policy;

  @Override
  public Integer call() throws Exception {
    Demo demo = Demo.start(new Demo.Options(dir, "127.0.0.1", port, adminPort, modelPort, chatPort, policy));
    System.out.println(demo.banner());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stop.countDown();
    }, "warden-demo-shutdown"));
    stop.await();
    return 0;
  }
}
