package dev.ganlab.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.bench.FidBenchmark;
import dev.ganlab.bench.LoaderBenchmark;
import dev.ganlab.bench.TrainStepBenchmark;
import dev.ganlab.core.AtomicFiles;
import dev.ganlab.core.GanLab;
import dev.ganlab.core.UserError;
import dev.ganlab.data.DataPaths;
import dev.ganlab.models.Models;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ganlab bench}: training-step speed, overhead, compute efficiency and memory of a model, with
 * the same step in Python PyTorch as a reference peer (DCGAN, ProGAN, FastGAN); or {@code --op fid}, the FID statistics
 * and distance, with scipy's and numpy's distance on the same statistics as peers; or {@code --op loader},
 * the data loader's images/s from folders of PNG and JPEG files, with a PIL + torch DataLoader peer.
 */
@Command(name = "bench", description = "Benchmark training steps (images/s, ms/step, overhead, GFLOP/s, memory) or FID.",
        footer = {"", "Examples:",
            "  ganlab bench --model dcgan --resolution 32 --batch 64 --steps 50",
            "  ganlab bench --model dcgan --resolution 32 --batch 64 --steps 2000 --profile-steps 0   (memory flatness)",
            "  ganlab bench --op fid --n 10000 --dims 2048   (also times scipy's and numpy's routes on the same statistics)",
            "  ganlab bench --op loader --sizes 64,256,1024 --batch 32   (with a PIL + torch DataLoader peer)"})
public final class BenchCommand implements Runnable {

    @Mixin CommonOptions common;

    @Option(names = "--op", defaultValue = "train", description = "train (default), fid or loader.")
    String op;

    @Option(names = "--model", defaultValue = "dcgan", completionCandidates = ModelNames.class,
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--resolution", defaultValue = "32", description = "Image size (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--channels", description = "1 or 3 (default: the model's usual data: 1 for dcgan and sndcgan, 3 otherwise).")
    Integer channels;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "50", description = "Timed steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--profile-steps", defaultValue = "5",
            description = "Steps under the engine profiler for the overhead figure (0 = skip).")
    int profileSteps;

    @Option(names = "--no-peer", description = "Do not run the Python peer (PyTorch for dcgan, progan and fastgan; scipy/numpy for fid; PIL + DataLoader for loader).")
    boolean noPeer;

    @Option(names = "--n", defaultValue = "10000", description = "FID: feature rows per set.")
    int n;

    @Option(names = "--dims", defaultValue = "2048", description = "FID: feature dimension.")
    int dims;

    @Option(names = "--repeat", defaultValue = "3",
            description = "FID: distances timed on each side; loader: alternating Java/Python rounds; medians reported (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--sizes", split = ",", defaultValue = "64,256,1024", description = "Loader: image sizes in px.")
    List<Integer> sizes;

    @Option(names = "--formats", split = ",", defaultValue = "png,jpeg", description = "Loader: png and/or jpeg.")
    List<String> formats;

    @Option(names = "--workers", description = "Loader: decoding threads, and the peer's DataLoader workers (default: the engine's threads).")
    Integer workers;

    @Option(names = "--folders", paramLabel = "DIR", description = "Loader: where the generated image folders are kept (default <home>/build/bench/loader).")
    Path folders;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Keep the engine profiler's trace of the profiled steps (chrome trace JSON; environment/bench/trace_ops.py sums it per operator).")
    Path trace;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Spec CommandSpec spec;

    /** The options each --op reads; one given to another --op would be ignored, so it is refused. */
    private static final Map<String, List<String>> OPTIONS_OF_OP = Map.of(
            "train", List.of("--model", "--resolution", "--channels", "--batch", "--steps", "--warmup",
                    "--profile-steps", "--trace"),
            "fid", List.of("--n", "--dims", "--repeat"),
            "loader", List.of("--sizes", "--formats", "--batch", "--workers", "--folders", "--repeat"));

    @Override
    public void run() {
        common.apply();
        if (!OPTIONS_OF_OP.containsKey(op)) {
            throw new UserError("--op '" + op + "': use train, fid or loader");
        }
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            boolean ownedByAnOp = OPTIONS_OF_OP.values().stream().anyMatch(l -> l.contains(name));
            if (ownedByAnOp && !OPTIONS_OF_OP.get(op).contains(name)) {
                List<String> ops = OPTIONS_OF_OP.entrySet().stream().filter(e -> e.getValue().contains(name))
                        .map(e -> "--op " + e.getKey()).sorted().toList();
                throw new UserError(name + " is read by " + String.join(" and ", ops) + ", not by --op " + op);
            }
        }
        if (op.equals("fid")) {
            if (repeat < 1) {
                throw new UserError("--repeat " + repeat + " must be at least 1");
            }
            FidBenchmark.Result r = FidBenchmark.run(n, dims, repeat, !noPeer);
            System.out.println(r.report());
            if (json != null) {
                AtomicFiles.writeString(json, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(r));
            }
            return;
        }
        if (op.equals("loader")) {
            if (repeat < 1) {
                throw new UserError("--repeat " + repeat + " must be at least 1");
            }
            Path dir = folders != null ? folders : DataPaths.home().resolve("build/bench/loader");
            List<LoaderBenchmark.Row> rows = LoaderBenchmark.run(new LoaderBenchmark.Options(sizes, formats, batch,
                    workers != null ? workers : GanLab.threads(), repeat, dir, !noPeer));
            System.out.println(LoaderBenchmark.report(rows));
            if (json != null) {
                AtomicFiles.writeString(json, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(rows));
            }
            return;
        }
        int c = channels != null ? channels : Models.preset(model).defaults().channels();
        TrainStepBenchmark.Result r = TrainStepBenchmark.run(
                new TrainStepBenchmark.Options(model, resolution, batch, steps, warmup, c, profileSteps, trace));
        System.out.println(r.report());
        JsonObject out = JsonParser.parseString(r.toJson()).getAsJsonObject();
        if (TrainStepBenchmark.PEER_SCRIPTS.containsKey(model) && !noPeer && !GanLab.device().isGpu()) {
            JsonObject peer = runPeer(c, r);
            if (peer != null) {
                // Medians: on a shared machine a few slow steps move the means by several percent.
                double peerMedian = peer.get("msPerStepMedian").getAsDouble();
                double ratio = r.msPerStepMedian() / peerMedian;
                System.out.printf(Locale.ROOT, "python peer       %s, %d threads (%s; %s; %s): %.1f ms mean, %.1f ms median"
                        + " per step -> Java/Python time ratio %.2f (medians; %.2f by means)%n",
                        peer.get("engine").getAsString(), peer.get("threads").getAsInt(),
                        peer.get("backends").getAsString(), peer.get("blas").getAsString(),
                        peer.has("allocator") ? peer.get("allocator").getAsString() : "allocator unknown",
                        peer.get("msPerStep").getAsDouble(), peerMedian, ratio,
                        r.msPerStep() / peer.get("msPerStep").getAsDouble());
                if (peer.has("parametersChecked") && peer.get("parametersChecked").getAsBoolean()) {
                    System.out.printf(Locale.ROOT, "  same networks   G %,d and D %,d parameters on both sides (the peer checks)%n",
                            r.generatorParameters(), r.discriminatorParameters());
                }
                out.add("peer", peer);
                out.addProperty("javaOverPythonTime", ratio);
            }
        }
        if (json != null) {
            AtomicFiles.writeString(json, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(out));
        }
    }

    /**
     * Runs the model's peer (environment/bench/*_peer.py) at the same size, batch, steps and threads,
     * under this process's allocator (the environment, LD_PRELOAD included, is inherited); the ProGAN
     * and FastGAN peers are given this model's parameter totals and refuse to run on other counts.
     * Null (with a note) when it cannot run.
     */
    private JsonObject runPeer(int c, TrainStepBenchmark.Result r) {
        Path script = DataPaths.home().resolve("environment/bench/" + TrainStepBenchmark.PEER_SCRIPTS.get(model));
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isRegularFile(script) || !Files.isExecutable(python)) {
            System.out.println("python peer       skipped: " + script + " or /usr/bin/python3 missing");
            return null;
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(python.toString(), script.toString(), "--resolution",
                Integer.toString(resolution), "--channels", Integer.toString(c), "--batch", Integer.toString(batch),
                "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup), "--threads",
                Integer.toString(GanLab.threads())));
        if (!model.equals(TrainStepBenchmark.PEER_MODEL)) {
            cmd.addAll(List.of("--expect-params", r.generatorParameters() + "," + r.discriminatorParameters()));
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String reason = text.contains("No module named 'torch'")
                        ? "Debian's python3-torch is not installed (apt-get install python3-torch)" : text.strip();
                System.out.println("python peer       skipped: " + reason);
                return null;
            }
            String last = text.strip().lines().reduce((a, b) -> b).orElse("{}");
            return JsonParser.parseString(last).getAsJsonObject();
        } catch (IOException e) {
            System.out.println("python peer       skipped: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
