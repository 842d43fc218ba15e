package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Parameter initialisers of the GAN papers, drawn from the engine's random generator (so
 * {@code GanLab.seedEngine(seed)} before initialisation makes a model reproducible).
 */
public final class Init {

    /** DCGAN (Radford et al., 2016): conv and linear weights from N(0, 0.02). */
    public static final double DCGAN_STD = 0.02;

    private Init() {}

    /** Values from N(mean, std^2). */
    public static Initializer normal(double mean, double std) {
        return new Initializer() {
            @Override
            public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
                return manager.randomNormal((float) mean, (float) std, shape, dataType);
            }

            @Override
            public String toString() {
                return "N(" + mean + ", " + std + "^2)";
            }
        };
    }

    /** All zeros. */
    public static Initializer zeros() {
        return (manager, shape, dataType) -> manager.zeros(shape, dataType);
    }

    /** All ones. */
    public static Initializer ones() {
        return (manager, shape, dataType) -> manager.ones(shape, dataType);
    }

    /** A random unit vector (the power-iteration start of spectral normalisation). */
    public static Initializer unitVector() {
        return (manager, shape, dataType) -> {
            NDArray v = manager.randomNormal(0f, 1f, shape, dataType);
            return v.divi(v.norm().addi(1e-12f));
        };
    }

    /**
     * Values from U(-bound, bound). PyTorch's default for a Linear or Conv layer draws weight and bias
     * from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5) comes to that bound);
     * pass that bound to reproduce a reference that keeps PyTorch's defaults.
     */
    public static Initializer uniform(double bound) {
        if (!(bound > 0)) {
            throw new IllegalArgumentException("uniform init bound " + bound + " must be > 0");
        }
        return new Initializer() {
            @Override
            public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
                return manager.randomUniform((float) -bound, (float) bound, shape, dataType);
            }

            @Override
            public String toString() {
                return "U(-" + bound + ", " + bound + ")";
            }
        };
    }
}
