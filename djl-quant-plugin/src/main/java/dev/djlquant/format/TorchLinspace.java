package dev.djlquant.format;

/**
 * PyTorch's float32 {@code torch.linspace} on CPU, reproduced to the bit so that codebooks match
 * bitsandbytes: the first half counts up from {@code start}, the second half down from {@code end},
 * each value one fused multiply-add ({@code start + step * i} rounded once, as the compiled kernel
 * contracts it). Verified against PyTorch's 8-bit dynamic map: all 256 entries equal.
 */
final class TorchLinspace {

    private TorchLinspace() {}

    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] =
                    i < halfway
                            ? Math.fma(step, (float) i, start)
                            : Math.fma(-step, (float) (steps - i - 1), end);
        }
        return out;
    }
}
