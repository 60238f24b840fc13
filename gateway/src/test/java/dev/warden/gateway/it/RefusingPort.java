package dev.warden.gateway.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where nothing listens and nothing can start listening while this is open: a socket bound
 * to it without listen (and without SO_REUSEADDR). Connections to it are refused. A port taken from a closed
 * {@code ServerSocket(0)} instead is free again: any server binding port 0 afterwards (the gateway under test
 * included) may be given it, and the "dead" backend then answers.
 */
public final class RefusingPort implements AutoCloseable {
  private final Socket socket = new Socket();

  public RefusingPort() throws IOException {
    socket.setReuseAddress(false);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
