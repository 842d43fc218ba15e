package dev.ganlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Fully connected layer with an optional run-time weight transform (spectral norm, equalized
 * learning rate; see {@link WeightScaling}).
 *
 * <p>Input {@code (N, F_in)} (other shapes are flattened after the batch axis); weight
 * {@code (F_out, F_in)}; bias {@code (F_out)}; output {@code (N, F_out)}.
 */
public final class Linear extends ScaledWeightLayer {

    private Linear(Builder b) {
        super(b.units, b.bias, b.scaling, b.gain, b.weightInit, b.biasInit);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Shape weightShape(Shape input) {
        return new Shape(outFeatures, fanIn(input));
    }

    @Override
    protected long fanIn(Shape input) {
        return input.size() / input.get(0);
    }

    @Override
    protected NDArray apply(NDArray input, NDArray w, NDArray b) {
        NDArray x = input.getShape().dimension() == 2 ? input : input.reshape(input.getShape().get(0), -1);
        return ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), outFeatures)};
    }

    @Override
    public String toString() {
        return "Linear(" + outFeatures + (scaling == WeightScaling.NONE ? "" : ", " + scaling.name().toLowerCase()) + ")";
    }

    /** Builder: {@code units} is required. */
    public static final class Builder {
        private long units;
        private boolean bias = true;
        private WeightScaling scaling = WeightScaling.NONE;
        private double gain = Math.sqrt(2);
        private Initializer weightInit = Init.normal(0, Init.DCGAN_STD);
        private Initializer biasInit = Init.zeros();

        public Builder setUnits(long u) {
            this.units = u;
            return this;
        }

        public Builder optBias(boolean b) {
            this.bias = b;
            return this;
        }

        public Builder optScaling(WeightScaling s) {
            this.scaling = s;
            return this;
        }

        /** Gain of the equalized-LR He constant (default sqrt(2)). */
        public Builder optGain(double g) {
            this.gain = g;
            return this;
        }

        public Builder optWeightInit(Initializer i) {
            this.weightInit = i;
            return this;
        }

        public Builder optBiasInit(Initializer i) {
            this.biasInit = i;
            return this;
        }

        public Linear build() {
            if (units < 1) {
                throw new IllegalArgumentException("Linear units must be >= 1, got " + units);
            }
            return new Linear(this);
        }
    }
}
