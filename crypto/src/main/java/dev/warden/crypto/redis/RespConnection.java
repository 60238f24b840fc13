package dev.warden.crypto.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal RESP2 client connection (the Redis wire protocol) over a blocking socket, plain ({@code redis://}) or
 * TLS ({@code rediss://}, see {@link RedisTls}): enough for AUTH, PING, EVAL, EVALSHA, GET and MGET. Written here
 * so that the libraries stay free of Netty and Vert.x. Not thread-safe: one caller at a time ({@link RespPool}
 * keeps a small pool).
 */
public final class RespConnection implements Closeable {

    /** A reply of type error ({@code -ERR ...}). The connection stays usable. */
    public static final class RespError extends IOException {
        private static final long serialVersionUID = 1L;

        public RespError(String message) {
            super(message);
        }
    }

    /** Longest bulk string accepted in a reply: callers never read large values. */
    private static final int MAX_BULK = 1 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** A plain TCP connection. */
    public RespConnection(String host, int port, Duration connectTimeout, Duration readTimeout) throws IOException {
        this(host, port, null, connectTimeout, readTimeout);
    }

    /**
     * A connection, over TLS when {@code tls} is not null: the handshake runs here and checks the server's
     * certificate against {@code host} (endpoint identification "HTTPS", SNI set), so a wrong certificate fails
     * before any command (or password) is sent.
     */
    public RespConnection(String host, int port, SSLSocketFactory tls, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) Math.max(1, readTimeout.toMillis()));
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, host, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!RedisTls.isIpLiteral(host)) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException e) {
            s.close();
            throw e;
        }
        this.socket = s;
        this.out = new BufferedOutputStream(s.getOutputStream(), 8192);
        this.in = new BufferedInputStream(s.getInputStream(), 8192);
    }

    /** Sends one command and reads its reply: Long, String, List, or null; a server error throws {@link RespError}. */
    public Object call(String... args) throws IOException {
        writeCommand(args);
        out.flush();
        return readReply();
    }

    private void writeCommand(String... args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("Redis closed the connection");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RespError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                if (len > MAX_BULK) {
                    throw new IOException("Redis bulk reply too long: " + len);
                }
                byte[] b = in.readNBytes(len);
                if (b.length != len || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("truncated Redis bulk reply");
                }
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    try {
                        items.add(readReply());
                    } catch (RespError e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected Redis reply type '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("Redis closed the connection mid-reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed Redis reply line");
                }
                return sb.toString();
            }
            if (sb.length() > 64 * 1024) {
                throw new IOException("Redis reply line too long");
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
