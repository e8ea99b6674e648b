package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * A 2-D convolution on a small output map computed from packed codes: each output position's input
 * patch (im2col) is a row of a linear product with the weight as {@code [filters, channels x kh x
 * kw]} ({@link QuantizedTensor#linear}), so the float32 weight never exists. VGG16-CIFAR's
 * 512-channel layers at batch 1 have 16 and 4 output positions and hold 13M of its 14.7M
 * convolution weights; one such layer took 1.4 (int8) and 2.0 ms (dt8) on a 4 x 4 map, 0.47 and
 * 1.05 ms on 2 x 2, against 2.5-2.7 and 3.4 ms restoring the weight for the engine's convolution.
 */
final class PackedConvolution {

    private final Conv2d conv;
    private final QuantizedTensor weight;
    private final long[] inputShape;
    private final int outHeight;
    private final int outWidth;

    private PackedConvolution(Conv2d conv, QuantizedTensor weight, Shape inputShape) {
        this.conv = conv;
        this.weight = weight;
        this.inputShape = inputShape.getShape();
        Shape out = conv.getOutputShapes(new Shape[] {inputShape})[0];
        this.outHeight = (int) out.get(2);
        this.outWidth = (int) out.get(3);
    }

    /**
     * Returns the convolution of {@code input} by {@code conv}, whose weight is {@code weight},
     * from packed codes; or null where the engine's convolution of the restored weight is the
     * better path: not a float32 NCHW input on the CPU, grouped channels, codes without a packed
     * kernel, or more output positions (all images together) than {@link
     * CompressedForward#packedRowsLimit}.
     */
    static NDArray convolveIfSmall(
            Conv2d conv, QuantizedTensor weight, ParameterStore store, NDArray input) {
        Shape shape = input.getShape();
        if (input.getDataType() != DataType.FLOAT32
                || !input.getDevice().getDeviceType().equals(Device.Type.CPU)
                || shape.dimension() != 4
                || conv.getGroups() != 1
                || weight.shape().length != 4
                || weight.shape()[1] != shape.get(1)) {
            return null;
        }
        PackedConvolution c = new PackedConvolution(conv, weight, shape);
        long positions = shape.get(0) * c.outHeight * c.outWidth;
        if (c.outHeight < 1
                || c.outWidth < 1
                || positions > CompressedForward.packedRowsLimit(weight.linearKernel())) {
            return null;
        }
        return c.convolve(store, input);
    }

    private NDArray convolve(ParameterStore store, NDArray input) {
        int images = (int) inputShape[0];
        int filters = (int) weight.shape()[0];
        int positions = outHeight * outWidth;
        float[] y = weight.linear(patches(input.toFloatArray()), images * positions);
        float[] bias = bias(store, input.getDevice());
        // y holds one row of filters per position; the engine's layout is filters by position.
        float[] out = new float[y.length];
        for (int n = 0; n < images; n++) {
            for (int p = 0; p < positions; p++) {
                int row = (n * positions + p) * filters;
                for (int f = 0; f < filters; f++) {
                    float b = bias == null ? 0f : bias[f];
                    out[(n * filters + f) * positions + p] = y[row + f] + b;
                }
            }
        }
        return input.getManager().create(out, new Shape(images, filters, outHeight, outWidth));
    }

    private float[] bias(ParameterStore store, Device device) {
        Parameter bias = conv.getDirectParameters().get("bias");
        return bias == null ? null : store.getValue(bias, device, false).toFloatArray();
    }

    /**
     * The input patch of every output position, image by image, each in the weight's order
     * (channel, kernel row, kernel column); taps in the padding are zero.
     */
    private float[] patches(float[] x) {
        int channels = (int) inputShape[1];
        int height = (int) inputShape[2];
        int width = (int) inputShape[3];
        int kh = (int) weight.shape()[2];
        int kw = (int) weight.shape()[3];
        int sy = (int) conv.getStride().get(0);
        int sx = (int) conv.getStride().get(1);
        int py = (int) conv.getPadding().get(0);
        int px = (int) conv.getPadding().get(1);
        int dy = (int) conv.getDilation().get(0);
        int dx = (int) conv.getDilation().get(1);
        int patch = channels * kh * kw;
        float[] rows = new float[(int) inputShape[0] * outHeight * outWidth * patch];
        int at = 0;
        for (int n = 0; n < inputShape[0]; n++) {
            for (int oy = 0; oy < outHeight; oy++) {
                for (int ox = 0; ox < outWidth; ox++) {
                    for (int c = 0; c < channels; c++) {
                        int plane = (n * channels + c) * height;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * sy - py + ky * dy;
                            for (int kx = 0; kx < kw; kx++, at++) {
                                int ix = ox * sx - px + kx * dx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    rows[at] = x[(plane + iy) * width + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
        return rows;
    }
}
