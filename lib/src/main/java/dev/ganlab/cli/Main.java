package dev.ganlab.cli;

import dev.ganlab.core.NativeAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Entry point of {@code java -jar lib/target/ganlab.jar <command>}.
 *
 * <p>Each command is a class of this package; they share {@link CommonOptions} for the device and
 * thread count. Bad input ends with one clear message on stderr and exit status 2; an unexpected
 * failure prints its stack trace and exits 1. {@code ganlab COMMAND --help} prints that command's
 * help and exits 0.
 */
@Command(
        name = "ganlab",
        // INHERIT gives every command -h/--help (its own help, exit 0, even when it has required
        // options) and -V/--version.
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "GAN Lab: GAN building blocks, training and metrics on DJL + PyTorch.",
        subcommands = {InfoCommand.class, TrainCommand.class, SweepCommand.class, RunsCommand.class,
            RunSpecCommand.class, SampleCommand.class, ExportCommand.class, BenchCommand.class, MetricsCommand.class, MsSsimCommand.class, SwdCommand.class,
            TrainFeaturesCommand.class, SummaryCommand.class, InterpolateCommand.class, TruncationCommand.class,
            NeighboursCommand.class, MetricsConditionalCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Commands that do enough tensor work to be worth a restart with TCMalloc ({@link NativeAllocator}). */
    private static final Set<String> ENGINE_COMMANDS = Set.of("train", "sweep", "bench", "sample", "metrics",
            "msssim", "swd", "train-features", "run-spec", "interpolate", "truncation", "neighbours",
            "metrics-conditional");

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        boolean help = List.of(args).contains("--help") || List.of(args).contains("-h");
        if (args.length > 0 && ENGINE_COMMANDS.contains(args[0]) && !help) {
            Optional<Integer> code = NativeAllocator.relaunchIfUseful(Main.class.getName(), args);
            if (code.isPresent()) {
                System.exit(code.get());
            }
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (used by tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable cause = ex;
            if (cause instanceof IllegalArgumentException || cause instanceof dev.ganlab.core.UserError) {
                cmd.getErr().println("ganlab " + cmd.getCommandName() + ": " + cause.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try: ganlab help)");
    }

    /** Prints the library version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = dev.ganlab.core.GanLab.versions();
            return new String[] {"GAN Lab " + v.getProperty("ganlab", "?") + " (DJL " + v.getProperty("djl", "?")
                    + ", PyTorch " + v.getProperty("pytorch", "?") + ")"};
        }
    }
}
