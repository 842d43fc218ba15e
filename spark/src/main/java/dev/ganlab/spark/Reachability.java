package dev.ganlab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Whether a host and port accept a TCP connection, asked once with a short time-out. */
final class Reachability {

    static final int TIMEOUT_MS = 5000;

    private Reachability() {}

    /** Null when {@code host:port} accepted a connection, else what went wrong, in a few words. */
    static String tcp(String host, int port) {
        InetSocketAddress addr = new InetSocketAddress(host, port);
        if (addr.isUnresolved()) {
            return "unknown host " + host;
        }
        try (Socket s = new Socket()) {
            s.connect(addr, TIMEOUT_MS);
            return null;
        } catch (java.net.SocketTimeoutException e) {
            return "no answer within " + TIMEOUT_MS / 1000 + " s";
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
