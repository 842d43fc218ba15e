package dev.ganlab.models.dcgan;

import dev.ganlab.nn.ConditionalBatchNorm;
import dev.ganlab.nn.ConditionalSequential;
import dev.ganlab.nn.Conv2d;
import dev.ganlab.nn.ConvTranspose2d;
import dev.ganlab.nn.Lambda;
import dev.ganlab.nn.Linear;

/**
 * {@link DcganModel}'s "paper" and SNDCGAN generators with every batch norm replaced by a
 * {@link ConditionalBatchNorm} (class-dependent gain and bias; Miyato &amp; Koyama 2018): inputs
 * {@code (z (N, d), class weights (N, K))}, output {@code (N, C, R, R)}. Layers, widths and initialisers are
 * those of the unconditional generators (see {@link DcganModel}); the class gains start at 1 and biases at 0
 * (the projection paper's code), where the unconditional DCGAN's scales start N(1, 0.02).
 */
final class ConditionalGenerators {

    private ConditionalGenerators() {}

    /** Radford et al.'s generator with conditional batch norm. */
    static ConditionalSequential paper(DcganConfig cfg, int channels, int resolution, int classes) {
        int s0 = DcganModel.paperStartSize(resolution);
        int layers = Integer.numberOfTrailingZeros(resolution / s0);
        long width = (long) cfg.gWidth << (layers - 1);
        ConditionalSequential g = new ConditionalSequential();
        g.add(Linear.builder().setUnits(width * s0 * s0).optBias(false).build());
        g.add(new ConditionalBatchNorm(classes));
        g.add(Lambda.relu());
        g.add(Lambda.reshape(width, s0, s0));
        for (int i = 1; i < layers; i++) {
            width /= 2;
            g.add(deconv5(width));
            g.add(new ConditionalBatchNorm(classes));
            g.add(Lambda.relu());
        }
        g.add(deconv5(channels));
        g.add(Lambda.tanh());
        return g;
    }

    private static ConvTranspose2d deconv5(long out) {
        return ConvTranspose2d.builder().setChannels(out).setKernel(5).optStride(2).optPadding(2).optOutputPadding(1)
                .optBias(false).build();
    }

    /** compare_gan's SNDCGAN generator with conditional batch norm. */
    static ConditionalSequential sndcgan(DcganConfig cfg, int channels, int resolution, int classes) {
        int s = resolution / 8;
        long w = 8L * cfg.gWidth;
        ConditionalSequential g = new ConditionalSequential();
        g.add(Linear.builder().setUnits(w * s * s).build());
        g.add(new ConditionalBatchNorm(classes));
        g.add(Lambda.relu());
        g.add(Lambda.reshape(w, s, s));
        for (int i = 0; i < 3; i++) {
            w /= 2;
            g.add(ConvTranspose2d.builder().setChannels(w).setKernel(4).optStride(2).optPadding(1).build());
            g.add(new ConditionalBatchNorm(classes));
            g.add(Lambda.relu());
        }
        g.add(Conv2d.builder().setChannels(channels).setKernel(3).optPadding(1).build());
        g.add(Lambda.tanh());
        return g;
    }
}
