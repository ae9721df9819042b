package dev.ddbbulk.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy against a tiny echo server on loopback: lower bounds on time only, never tight upper bounds. */
@Timeout(60)
class LatencyProxyTest {
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void start_whenLatencyIsSet_eachExchangeOnAKeepAliveConnectionTakesAtLeastTheLatency() throws IOException {
        Duration latency = Duration.ofMillis(100);
        LatencyProxy proxy = proxy(echoServer().address(), latency);

        List<Long> nanos = new ArrayList<>();
        try (Socket socket = connect(proxy)) {
            for (int i = 0; i < 5; i++) {
                byte[] request = ("exchange-" + i + "\n").getBytes(StandardCharsets.US_ASCII);
                long start = System.nanoTime();
                socket.getOutputStream().write(request);
                byte[] response = socket.getInputStream().readNBytes(request.length);
                nanos.add(System.nanoTime() - start);

                assertThat(response).isEqualTo(request);
            }
        }

        System.out.println("LatencyProxyTest keep-alive exchanges at 100 ms (ms): " + millis(nanos));
        assertThat(nanos).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(latency.toNanos()));
    }

    @Test
    void start_whenFiftyConnectionsExchangeAtOnce_theyWaitTogetherNotInTurn() throws Exception {
        Duration latency = Duration.ofMillis(200);
        LatencyProxy proxy = proxy(echoServer().address(), latency);
        int connections = 50;
        ExecutorService executor = Executors.newFixedThreadPool(connections);
        toClose.add(executor::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);

        List<Future<Long>> exchanges = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            byte[] request = String.format("conn-%03d", i).getBytes(StandardCharsets.US_ASCII);
            exchanges.add(executor.submit(() -> {
                try (Socket socket = connect(proxy)) {
                    go.await();
                    long start = System.nanoTime();
                    socket.getOutputStream().write(request);
                    byte[] response = socket.getInputStream().readNBytes(request.length);
                    long elapsed = System.nanoTime() - start;
                    assertThat(response).isEqualTo(request);
                    return elapsed;
                }
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        List<Long> nanos = new ArrayList<>();
        for (Future<Long> exchange : exchanges) {
            nanos.add(exchange.get());
        }
        long total = System.nanoTime() - start;

        System.out.println("LatencyProxyTest 50 concurrent exchanges at 200 ms: total "
                + TimeUnit.NANOSECONDS.toMillis(total) + " ms, slowest "
                + TimeUnit.NANOSECONDS.toMillis(nanos.stream().mapToLong(Long::longValue).max().orElseThrow()) + " ms");
        assertThat(nanos).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(latency.toNanos()));
        // In turn they would take 50 x 200 ms = 10 s; together, a little over 200 ms.
        assertThat(total).isLessThan(latency.multipliedBy(10).toNanos());
    }

    @Test
    void start_whenLatencyIsZero_forwardsAMultiKbPayloadUnchanged() throws Exception {
        assertEchoesUnchanged(proxy(echoServer().address(), Duration.ZERO), "zero latency");
    }

    @Test
    void start_whenLatencyIsSet_forwardsAMultiKbPayloadUnchanged() throws Exception {
        assertEchoesUnchanged(proxy(echoServer().address(), Duration.ofMillis(50)), "50 ms latency");
    }

    @Test
    void close_whenRunningWithAnOpenConnection_closesItRefusesNewOnesAndEndsItsThreads() throws Exception {
        LatencyProxy proxy = proxy(echoServer().address(), Duration.ofMillis(20));
        Socket open = connect(proxy);
        toClose.add(open);
        open.getOutputStream().write('x');
        assertThat(open.getInputStream().read()).isEqualTo('x');
        assertThat(threadsNamed(proxy.threadPrefix())).as("acceptor and one connection's two pumps").hasSize(3);

        proxy.close();

        assertThat(readOrEndOfStream(open)).as("the open connection is closed").isEqualTo(-1);
        URI endpoint = proxy.endpoint();
        assertThatThrownBy(() -> new Socket(endpoint.getHost(), endpoint.getPort()).close())
                .isInstanceOf(ConnectException.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread thread : threadsNamed(proxy.threadPrefix())) {
            TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
        }
        assertThat(threadsNamed(proxy.threadPrefix())).isEmpty();
    }

    @Test
    void start_whenUpstreamIsDown_closesTheClientsConnectionRatherThanHanging() throws IOException {
        InetSocketAddress down;
        try (ServerSocket vacated = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            down = new InetSocketAddress(vacated.getInetAddress(), vacated.getLocalPort());
        }
        LatencyProxy proxy = proxy(down, Duration.ofMillis(20));

        try (Socket socket = connect(proxy)) {
            try {
                socket.getOutputStream().write("anyone?".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // Closed already: that is the point.
            }
            assertThat(readOrEndOfStream(socket)).isEqualTo(-1);
        }
    }

    @Test
    void start_whenUpstreamSpeaksAndClosesFirst_clientReadsItsBytesThenEndOfStream() throws IOException {
        byte[] farewell = "bye".getBytes(StandardCharsets.US_ASCII);
        Server server = server(socket -> {
            socket.getOutputStream().write(farewell);
            socket.close();
        });
        LatencyProxy proxy = proxy(server.address(), Duration.ofMillis(20));

        try (Socket socket = connect(proxy)) {
            assertThat(socket.getInputStream().readAllBytes()).isEqualTo(farewell);
            // The client's half is still open: its bytes go upstream, where nobody reads them, without error.
            socket.getOutputStream().write('x');
        }
    }

    private void assertEchoesUnchanged(LatencyProxy proxy, String what) throws Exception {
        byte[] payload = new byte[256 * 1024];
        new Random(42).nextBytes(payload);
        try (Socket socket = connect(proxy)) {
            long start = System.nanoTime();
            // Read while writing: the echo comes back as the payload goes out, and the buffers are finite.
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return socket.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            OutputStream out = socket.getOutputStream();
            for (int offset = 0; offset < payload.length; offset += 1000) {
                out.write(payload, offset, Math.min(1000, payload.length - offset));
            }
            // Half-close: the echo server sees the end and closes, so the client reads to the end of stream.
            socket.shutdownOutput();

            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(payload);
            System.out.println("LatencyProxyTest 256 KB echoed with " + what + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        }
    }

    private LatencyProxy proxy(InetSocketAddress upstream, Duration latency) {
        LatencyProxy proxy = LatencyProxy.start(upstream, latency);
        toClose.add(proxy);
        return proxy;
    }

    private static Socket connect(LatencyProxy proxy) throws IOException {
        URI endpoint = proxy.endpoint();
        Socket socket = new Socket(endpoint.getHost(), endpoint.getPort());
        socket.setTcpNoDelay(true);
        // A hang fails the test rather than stalling the build.
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        return socket;
    }

    /** -1 for an end of stream or a reset alike: either way the connection is closed, not hanging. */
    private static int readOrEndOfStream(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return -1;
        }
    }

    private static Set<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix + "-"))
                .collect(Collectors.toSet());
    }

    private static List<Long> millis(List<Long> nanos) {
        return nanos.stream().map(TimeUnit.NANOSECONDS::toMillis).collect(Collectors.toList());
    }

    private Server echoServer() {
        return server(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        });
    }

    private Server server(Handler handler) {
        Server server = new Server(handler);
        toClose.add(server);
        return server;
    }

    private interface Handler {
        void handle(Socket socket) throws IOException;
    }

    /** A loopback server that runs {@code handler} on a thread of its own for each connection. */
    private static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();

        Server(Handler handler) {
            try {
                socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Consumer<Socket> serve = client -> {
                try (client) {
                    handler.handle(client);
                } catch (IOException e) {
                    // The client or the test went away.
                } finally {
                    accepted.remove(client);
                }
            };
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        accepted.add(client);
                        Thread thread = new Thread(() -> serve.accept(client), "test-server-connection");
                        thread.setDaemon(true);
                        thread.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-server-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket client : accepted) {
                client.close();
            }
        }
    }
}
