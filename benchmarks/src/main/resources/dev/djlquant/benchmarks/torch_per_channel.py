"""PyTorch's own row-wise int8 quantization, timed for djl-quant's benchmark table.

Reads nothing, prints one JSON object on stdout: best-of-N wall milliseconds for copying a
rows x cols float32 tensor (Tensor.copy_), for quantize_per_channel to qint8 with symmetric
scales absmax/127 found per row (the same arithmetic as djl-quant's int8@row), for
quantize_per_channel alone with those scales given, and for dequantize, on all cores. Exits 3 when torch cannot be imported.
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError:
    sys.exit(3)

rows, cols, reps = (int(a) for a in sys.argv[1:4])
# Debian's build starts with one thread; use every core, as djl-quant does.
torch.set_num_threads(os.cpu_count() or 1)
torch.manual_seed(0)
x = torch.randn(rows, cols) * 0.02
copy = torch.empty_like(x)
zero_points = torch.zeros(rows, dtype=torch.long)


def best_ms(fn):
    fn()
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def quantize():
    scales = x.abs().amax(dim=1).double() / 127
    return torch.quantize_per_channel(x, scales, zero_points, 0, torch.qint8)


q = quantize()
scales = x.abs().amax(dim=1).double() / 127
print(json.dumps({
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "copy_ms": best_ms(lambda: copy.copy_(x)),
    "quantize_ms": best_ms(quantize),
    "per_channel_only_ms": best_ms(
        lambda: torch.quantize_per_channel(x, scales, zero_points, 0, torch.qint8)),
    "dequantize_ms": best_ms(q.dequantize),
}))
