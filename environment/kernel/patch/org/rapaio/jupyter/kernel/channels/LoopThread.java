package org.rapaio.jupyter.kernel.channels;

/**
 * GAN Lab's replacement for rapaio-jupyter-kernel 3.0.1's channel loop thread, placed before the
 * kernel's jar on the class path by environment/kernel/install-kernel.sh.
 *
 * <p>The kernel's own class has two start-up races that leave a freshly started kernel deaf
 * (measured here: a few starts in ten on a busy machine hang until Jupyter's start timeout, or
 * the JVM exits before answering kernel_info):
 * <ul>
 *   <li>{@code start()} set the running flag after {@code Thread.start()}, so a thread scheduled
 *       at once saw {@code running == false} and ended before its first poll;</li>
 *   <li>an exception thrown by the loop body (the shell loop can read a request before the
 *       kernel has registered its message handlers) ended the thread for good.</li>
 * </ul>
 * Here the flag is set before the thread starts, and an exception from one iteration is reported
 * on standard error and the loop goes on: the lost request is harmless because Jupyter's clients
 * repeat kernel_info_request until they get a reply. Same constructor and methods as the
 * original, so the kernel's channels use it unchanged.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleepMillis;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleepMillis = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                System.err.println("[ganlab kernel] " + getName() + ": " + e + " (loop continues)");
            }
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
