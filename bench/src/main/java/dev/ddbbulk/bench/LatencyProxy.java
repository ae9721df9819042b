package dev.ddbbulk.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that holds back the start of each upstream response for a fixed latency, so that every
 * request/response exchange takes that much longer, as across a network: DynamoDB Local answers in microseconds
 * where AWS takes milliseconds, and a bench on it would otherwise hide what waiting costs.
 */
public final class LatencyProxy implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    private static final int BACKLOG = 512;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final Duration JOIN_ON_CLOSE = Duration.ofSeconds(5);

    private final InetSocketAddress upstream;
    private final long latencyNanos;
    private final ServerSocket server;
    private final String threadPrefix;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private volatile boolean closed;

    private LatencyProxy(InetSocketAddress upstream, Duration latency, ServerSocket server) {
        this.upstream = upstream;
        this.latencyNanos = latency.toNanos();
        this.server = server;
        this.threadPrefix = "latency-proxy-" + server.getLocalPort();
        this.acceptor = daemon(threadPrefix + "-accept", this::accept);
    }

    /**
     * Starts a proxy on a free port of 127.0.0.1 in front of {@code upstream}; it accepts connections when
     * this returns.
     *
     * <p>The rule: on each connection, when the upstream sends bytes and the client has sent some since the
     * upstream last did (the first bytes of a new response), the proxy holds them for {@code latency} from
     * their arrival, then forwards them and the rest of that response as they come. So each exchange on a
     * keep-alive connection takes the upstream's own time plus at least {@code latency}; request bytes,
     * half-closes and closes pass at once. (A stream that talks both ways at once pays the wait at every turn.)
     * Each connection has two threads of its own, so one connection's wait never holds up another's. A
     * {@code latency} of zero forwards everything at once.
     */
    public static LatencyProxy start(InetSocketAddress upstream, Duration latency) {
        Objects.requireNonNull(upstream, "upstream");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + latency);
        }
        ServerSocket server;
        try {
            // 127.0.0.1 explicitly, not the loopback address, which may be ::1; the endpoint names 127.0.0.1.
            server = new ServerSocket(0, BACKLOG, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1 for the latency proxy", e);
        }
        LatencyProxy proxy = new LatencyProxy(upstream, latency, server);
        proxy.acceptor.start();
        return proxy;
    }

    /** Where clients connect: {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The prefix of the names of this proxy's threads, all of which end on {@link #close()}. */
    String threadPrefix() {
        return threadPrefix;
    }

    /**
     * Stops accepting, closes every connection (both sides) and waits a few seconds at most for the
     * proxy's threads to end.
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        long deadline = System.nanoTime() + JOIN_ON_CLOSE.toNanos();
        try {
            // The acceptor first: once it has ended, no connection joins the set.
            join(acceptor, deadline);
            List<Thread> threads = new ArrayList<>();
            for (Connection connection : connections) {
                connection.abort();
                // The request thread before the response thread: the former starts the latter.
                threads.addAll(connection.threads());
            }
            for (Thread thread : threads) {
                join(thread, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Say out of file descriptors: pause so that the loop retries without spinning.
                if (!pause(TimeUnit.MILLISECONDS.toNanos(10))) {
                    return;
                }
                continue;
            }
            Connection connection = new Connection(client, threadPrefix + "-" + connectionIds.incrementAndGet());
            connections.add(connection);
            if (closed) {
                connection.abort();
                return;
            }
            connection.start();
        }
    }

    /**
     * One client connection and its upstream connection, each direction pumped by a thread of its own. The
     * request thread connects upstream first, so that a slow or refused connect holds up only this client.
     */
    private final class Connection {
        private final Socket client;
        private final Socket upstreamSocket = new Socket();
        private final Thread requests;
        private final Thread responses;
        /** Bumped before request bytes go upstream, so a response to them always sees the new count. */
        private final AtomicLong requestChunks = new AtomicLong();
        /** Directions that ended cleanly (end of stream passed on); at two, both sockets are done with. */
        private final AtomicInteger finished = new AtomicInteger();

        Connection(Socket client, String name) {
            this.client = client;
            this.requests = daemon(name + "-request", this::pumpRequests);
            this.responses = daemon(name + "-response", this::pumpResponses);
        }

        List<Thread> threads() {
            return List.of(requests, responses);
        }

        void start() {
            requests.start();
        }

        private void pumpRequests() {
            try {
                // Both ways: Nagle's algorithm would hold back the small writes of a forwarded chunk.
                client.setTcpNoDelay(true);
                upstreamSocket.setTcpNoDelay(true);
                upstreamSocket.connect(upstream, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                // Upstream down: the client gets its connection closed rather than a silent wait.
                abort();
                return;
            }
            responses.start();
            // No try-with-resources on the streams: closing one closes its socket, and the other direction
            // may still have bytes to pass on after this one has ended.
            try {
                InputStream in = client.getInputStream();
                OutputStream out = upstreamSocket.getOutputStream();
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    requestChunks.incrementAndGet();
                    out.write(buffer, 0, n);
                }
                upstreamSocket.shutdownOutput();
                finished();
            } catch (IOException e) {
                abort();
            }
        }

        private void pumpResponses() {
            long seenRequestChunks = 0;
            try {
                InputStream in = upstreamSocket.getInputStream();
                OutputStream out = client.getOutputStream();
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    long chunks = requestChunks.get();
                    if (chunks != seenRequestChunks) {
                        // The first bytes of a new response: the round trip's wait, on this thread only.
                        seenRequestChunks = chunks;
                        if (latencyNanos > 0 && !pause(latencyNanos)) {
                            abort();
                            return;
                        }
                    }
                    out.write(buffer, 0, n);
                }
                client.shutdownOutput();
                finished();
            } catch (IOException e) {
                abort();
            }
        }

        private void finished() {
            if (finished.incrementAndGet() == 2) {
                abort();
            }
        }

        /** Closes both sockets, which ends a pump blocked on either; the interrupt ends one that waits. */
        void abort() {
            closeQuietly(client);
            closeQuietly(upstreamSocket);
            connections.remove(this);
            if (Thread.currentThread() != responses) {
                responses.interrupt();
            }
        }
    }

    /** Sleeps {@code nanos} at least (no spinning); false when interrupted, that is when the proxy closes. */
    private static boolean pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        try {
            for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static void join(Thread thread, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Closing is all that is left to do with it.
        }
    }
}
