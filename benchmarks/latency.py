"""Prediction latency of the AttentionDecoder's two loops, `scan` and unrolled, repeated and interleaved.

`benchmarks/run.py` measures latency once per variant (one median of 20 calls). This script repeats that
measurement so that a conclusion about which loop predicts faster rests on more than one figure:

    KERAS_BACKEND=jax .venv/bin/python benchmarks/latency.py [--rounds 9] [--calls 20]

It builds run.py's whole model (encoder and decoder, the same sizes) twice, once with `unroll=False`
(`keras.ops.scan`) and once with `unroll=True`, from the same seed, and calls `predict_on_batch` on one
sequence and on a batch of 256. Each round times `--calls` calls of each model and keeps their median; the
two models alternate which goes first from round to round, so that drift in the machine's speed hits both.
The ratio that matters, unrolled time / scan time, is taken within each round. Besides the wall clock it
records the process's CPU time per call (all threads), which another process on the machine disturbs less.
Writes benchmarks/results/latency-BACKEND-DATE-TIME.md (one file per run).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import platform
import time

import keras
import numpy as np
from keras import ops
from run import BACKEND, NAMES, RESULTS, T_X, VOCABULARY, build, load_average, processor

VARIANTS = ("a scan", "a unrolled")


def one_round(model, inputs, calls):
    "Median (wall, CPU) milliseconds of `calls` predict_on_batch calls."
    wall, cpu = [], []
    for _ in range(calls):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        ops.convert_to_numpy(model.predict_on_batch(inputs))  # waits for the result
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return 1000 * float(np.median(wall)), 1000 * float(np.median(cpu))


def span(values):
    return f"{np.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=20, help="calls timed per round")
    args = parser.parse_args()

    load_before = load_average()
    models = {}
    for key in VARIANTS:
        models[key] = build(key)
        print(f"built {key}", flush=True)
    x = np.random.default_rng(0).integers(0, VOCABULARY, size=(256, T_X))
    x = x.astype("int32")
    # {batch: {key: [(wall ms, CPU ms), one per round]}}
    results = {batch: {key: [] for key in VARIANTS} for batch in (1, 256)}
    for batch, per_key in results.items():
        inputs = x[:batch]
        for key in VARIANTS:
            models[key].predict_on_batch(inputs)  # warm-up: traces and compiles
        for round_ in range(args.rounds):
            order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
            for key in order:
                per_key[key].append(one_round(models[key], inputs, args.calls))
            print(f"  batch {batch}: round {round_ + 1}/{args.rounds}", flush=True)
    load_after = load_average()

    rows = []
    for batch, per_key in results.items():
        for column, clock in ((0, "wall"), (1, "CPU")):
            scan = [r[column] for r in per_key["a scan"]]
            unrolled = [r[column] for r in per_key["a unrolled"]]
            ratios = [u / s for u, s in zip(unrolled, scan)]
            rows.append(
                f"| {batch} | {clock} | {span(scan)} | {span(unrolled)} | {span(ratios)} |"
            )
    report = f"""# Prediction latency, `scan` against unrolled: {BACKEND}

Written by `benchmarks/latency.py` on {time.strftime("%Y-%m-%d %H:%M")}: {processor()},
{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, Keras
{keras.__version__}, the {BACKEND} backend, on the CPU; load average (1, 5, 15 min) {load_before} before,
{load_after} after. The model is `benchmarks/run.py`'s (T_x = {T_X}, T_y = 10, K = 13, BiLSTM(64) encoder,
n = 64), built as {NAMES["a scan"]} and as {NAMES["a unrolled"]}. {args.rounds} interleaved rounds; in
each, the median of {args.calls} `predict_on_batch` calls per model, in milliseconds. Figures: median over
the rounds (lowest-highest). The ratio is unrolled / scan within each round: above 1, `scan` was faster.

| batch | clock | scan, ms | unrolled, ms | unrolled / scan |
|---:|---|---:|---:|---:|
{chr(10).join(rows)}
"""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"latency-{BACKEND}-{time.strftime('%Y-%m-%d-%H%M')}.md"
    path.write_text(report)
    print(report)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
