package dev.ganlab.cli;

import dev.ganlab.data.SystemInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ganlab info}: versions, engine, devices, threads and where the data sets are. */
@Command(name = "info", description = "Print versions, engine, devices, threads and data set locations.")
public final class InfoCommand implements Runnable {

    @Mixin CommonOptions common;

    @Override
    public void run() {
        common.apply();
        SystemInfo.print(System.out);
    }
}
