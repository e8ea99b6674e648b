"""The study's FP8 and dynamic-tree rounding in plain Python, one value at a time, as the study
computed them (without torch's per-element call overhead), for djl-quant's benchmark table.

Arguments: INPUT OUTPUT REPS. Reads float32 values (little-endian) from INPUT, already divided by
their group maximum; writes round_fp8 (4 exponent bits) of every value, then round_dt8 (8 bits),
as float32 to OUTPUT; prints one JSON object on stdout with the Python version and the best of
REPS wall times, in seconds, of each pass on one thread. The arithmetic is DESIGN.md's seedfp8
and seeddt8; djl-quant checks the results bit for bit before it reports a time.
"""
import json
import platform
import sys
import time
from array import array
from struct import pack, unpack


def round_fp8(x, exponent_bits=4):
    bits = unpack("<I", pack("<f", x))[0]
    mantissa_bits = 7 - exponent_bits
    fraction = (bits & 0x7FFFFF) >> (23 - mantissa_bits)
    top = 2**exponent_bits - 1
    exponent = max(1 - top, min(top, ((bits >> 23) & 0xFF) - 127))
    magnitude = (1 + fraction / 2**mantissa_bits) * 2.0**exponent
    return -magnitude if bits >> 31 else magnitude


def round_dt8(x, num_bits=8):
    if x == 0:
        return 0.0
    v = abs(x)
    k = 0
    while v < 0.1:
        v *= 10
        k += 1
    bits = max(0, num_bits - 2 - k)
    kc = min(num_bits - 1, k)
    if kc == 0:
        keep = 7
    elif kc >= num_bits - 2:
        keep = 0
    else:
        keep = bits
    kept = 0.0
    for p in range(1, keep + 1):
        step = 2.0**-p
        if v >= step:
            v -= step
            kept += step
    return (-kept if x < 0 else kept) * 10**-kc


def best_seconds(fn, values, reps):
    best = float("inf")
    out = None
    for _ in range(reps):
        start = time.perf_counter()
        out = [fn(x) for x in values]
        best = min(best, time.perf_counter() - start)
    return best, out


source, target, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
values = array("f")
with open(source, "rb") as f:
    values.frombytes(f.read())
if sys.byteorder != "little":
    values.byteswap()
fp8_s, fp8 = best_seconds(round_fp8, values, reps)
dt_s, dt = best_seconds(round_dt8, values, reps)
result = array("f", fp8 + dt)
if sys.byteorder != "little":
    result.byteswap()
with open(target, "wb") as f:
    f.write(result.tobytes())
print(json.dumps({"python": platform.python_version(), "fp8_s": fp8_s, "dt_s": dt_s}))
