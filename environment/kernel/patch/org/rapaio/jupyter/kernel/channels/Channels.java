package org.rapaio.jupyter.kernel.channels;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.message.ContentType;
import org.rapaio.jupyter.kernel.message.Message;
import org.rapaio.jupyter.kernel.message.MessageId;
import org.rapaio.jupyter.kernel.message.MessageType;
import org.rapaio.jupyter.kernel.message.messages.ErrorReply;
import org.rapaio.jupyter.kernel.message.messages.IOPubStatus;
import org.rapaio.jupyter.kernel.message.messages.IOPubStream;
import org.rapaio.org.zeromq.ZMQ;

/**
 * GAN Lab's replacement for rapaio-jupyter-kernel 3.0.1's {@code Channels} (the kernel's five sockets
 * and the "current request" its handlers answer to), placed before the kernel's jar by
 * environment/kernel/install-kernel.sh. Same constructor and public methods as the original.
 *
 * <p>Why it is replaced: the original keeps one "current request" and one stack of after-actions for
 * the whole kernel, shared by the shell thread and the control thread. An interrupt_request arrives
 * on the control thread while the shell thread is inside an execute_request, so the interrupt
 * handler overwrote the current request and its {@code runAfterActions()} ran the cell's pending
 * actions (idle status, stream restore, clearing the request). The cancelled cell's execute_reply was
 * then sent with no request, hence to no client: no reply, no idle, the notebook front end waits for
 * ever (issue 15). Here:
 * <ul>
 *   <li>each thread that handles a request keeps its own request and its own after-actions;</li>
 *   <li>the execute_request being run is also the request of every other thread (the cell's engine
 *       thread prints and displays through it) until the shell thread frees it;</li>
 *   <li>an after-action that throws is reported and the rest still run (before, the rest stayed on
 *       the stack and ran after the next request);</li>
 *   <li>message handlers are registered before the sockets are bound, so the first kernel_info
 *       request finds them (the original bound first: "Unhandled message: kernel_info_request").</li>
 * </ul>
 */
@SuppressWarnings({"unchecked", "rawtypes"})
public final class Channels {

    private final ConnectionProperties connection;
    private final ZMQ.Context context;
    private final HeartbeatChannel heartbeat;
    private final ShellChannel shell;
    private final ControlChannel control;
    private final StdinChannel stdin;
    private final IOPubChannel iopub;
    private final List<AbstractChannel> all;

    private volatile Map<MessageType<?>, MessageHandler> handlers = Map.of();
    /** The request a thread is handling (shell or control loop thread). */
    private final ThreadLocal<MessageId<?>> ownRequest = new ThreadLocal<>();
    /** The execute_request being run: what the cell's own threads print and display under. */
    private volatile MessageId<?> runningCell;
    private final ThreadLocal<Deque<Runnable>> afterActions = ThreadLocal.withInitial(ArrayDeque::new);
    private volatile boolean connected;
    private volatile boolean shutdownRequested;

    public Channels(ConnectionProperties connProps) throws NoSuchAlgorithmException, InvalidKeyException {
        this.connection = connProps;
        this.context = ZMQ.context(1);
        var digest = connProps.createHMACDigest();
        heartbeat = new HeartbeatChannel(this, context, digest);
        shell = new ShellChannel(this, context, digest, this);
        control = new ControlChannel(this, context, digest);
        stdin = new StdinChannel(this, context, digest);
        iopub = new IOPubChannel(this, context, digest);
        all = List.of(heartbeat, shell, control, stdin, iopub);
    }

    public synchronized void connect(RapaioKernel kernel) {
        if (connected) {
            return;
        }
        kernel.registerChannels(this);
        Map<MessageType<?>, MessageHandler> h = new HashMap<>();
        h.put(MessageType.SHELL_EXECUTE_REQUEST, kernel::handleExecuteRequest);
        h.put(MessageType.SHELL_INSPECT_REQUEST, kernel::handleInspectRequest);
        h.put(MessageType.SHELL_COMPLETE_REQUEST, kernel::handleCompleteRequest);
        h.put(MessageType.SHELL_HISTORY_REQUEST, kernel::handleHistoryRequest);
        h.put(MessageType.SHELL_IS_COMPLETE_REQUEST, kernel::handleIsCompleteRequest);
        h.put(MessageType.SHELL_KERNEL_INFO_REQUEST, kernel::handleKernelInfoRequest);
        h.put(MessageType.CONTROL_SHUTDOWN_REQUEST, kernel::handleShutdownRequest);
        h.put(MessageType.CONTROL_INTERRUPT_REQUEST, kernel::handleInterruptRequest);
        h.put(MessageType.CUSTOM_COMM_OPEN, kernel::handleCommOpenCommand);
        h.put(MessageType.CUSTOM_COMM_MSG, kernel::handleCommMsgCommand);
        h.put(MessageType.CUSTOM_COMM_CLOSE, kernel::handleCommCloseCommand);
        h.put(MessageType.SHELL_COMM_INFO_REQUEST, kernel::handleCommInfoRequest);
        handlers = Map.copyOf(h);
        all.forEach(c -> c.bind(connection));
        iopub.sendMessage(new Message<>(MessageType.IOPUB_STATUS, IOPubStatus.STARTING));
        connected = true;
    }

    public <T> MessageHandler<T> getHandler(MessageType<T> type) {
        return handlers.get(type);
    }

    public void close() {
        all.forEach(AbstractChannel::close);
        context.close();
    }

    public void joinUntilClose() {
        all.forEach(AbstractChannel::joinUntilClose);
    }

    /** The request this thread answers to: its own, else the running cell's. */
    private MessageId<?> current() {
        MessageId<?> own = ownRequest.get();
        return own != null ? own : runningCell;
    }

    public boolean hasMsgId() {
        return current() != null;
    }

    /** Called by the shell and control loops before handling {@code msgId}'s request. */
    public void setMsgId(MessageId<?> msgId) {
        ownRequest.set(msgId);
        if (msgId != null && MessageType.SHELL_EXECUTE_REQUEST.equals(msgId.header().type())) {
            runningCell = msgId;
        }
    }

    /** Called when a request is done (an after-action of execute_request). */
    public void freeMsgId() {
        MessageId<?> own = ownRequest.get();
        ownRequest.remove();
        if (own != null && own == runningCell) {
            runningCell = null;
        }
    }

    public void markForShutdown() {
        shutdownRequested = true;
    }

    public boolean isMarkedForShutdown() {
        return shutdownRequested;
    }

    public void writeToStdOut(String msg) {
        publish(new IOPubStream(IOPubStream.StreamName.OUT, msg));
    }

    public void writeToStdErr(String msg) {
        publish(new IOPubStream(IOPubStream.StreamName.ERR, msg));
    }

    public String readFromStdIn() {
        return stdin.getInput(current(), "", false);
    }

    public <T extends ContentType<T>> void publish(T content) {
        iopub.sendMessage(new Message<>(current(), content.type(), content));
    }

    public <T extends ContentType<T>> void reply(T content) {
        shell.sendMessage(new Message<>(current(), content.type(), content));
    }

    public void replyError(MessageType<?> type, ErrorReply error) {
        shell.sendMessage(new Message(current(), type, error));
    }

    /** Runs {@code action} when this thread's request is done (last scheduled, first run). */
    public void scheduleAfter(Runnable action) {
        afterActions.get().push(action);
    }

    public void runAfterActions() {
        Deque<Runnable> actions = afterActions.get();
        while (!actions.isEmpty()) {
            try {
                actions.pop().run();
            } catch (RuntimeException e) {
                System.err.println("[ganlab kernel] after-action failed: " + e + " (the others still run)");
            }
        }
    }

    public void busyThenIdle() {
        publish(IOPubStatus.BUSY);
        scheduleAfter(() -> publish(IOPubStatus.IDLE));
    }
}
