"""Training throughput, inference latency and memory of the AttentionDecoder and its alternatives.

Run with `make bench` (TensorFlow) or `make bench BACKEND=jax`; writes benchmarks/results/BACKEND.md.
benchmarks/RESULTS.md discusses the figures.

What is timed: steady-state training batches. Each model is built and trains one batch first, which traces
and compiles it (timed apart: "first batch"). Then, in each repeat, it runs `train_on_batch` on B batches
in a row; the clock starts when the first of them (a warm-up) has finished and stops when the last one has
finished. `train_on_batch` returns the loss as a Python number, so every batch has really
finished (JAX dispatches work asynchronously) before the next starts. All variants run in this one process,
interleaved (repeat 1 of every variant, then repeat 2, ...), so that drift in the machine's speed hits them
alike. The figures that matter are the ratios between variants, taken within each repeat.

The problem is roughly the size of chapter 8's dates task, not the same: T_x = 30 input characters
from a vocabulary of 40, T_y = 10 output symbols out of K = 13, a BiLSTM(64) encoder (d = 128),
decoders of n = 64 units, batch 128, and no mask (chapter 8 masks its padding and pins the scan loop).
Variants:
  (a)  AttentionDecoder with its default settings
  (a scan), (a unrolled)  the same layer with `unroll=False` and `unroll=True`
  (a fused)  a prototype that computes eqs. 4-6 and 8 with two products per step, on the named weights
       concatenated once per call, instead of twelve (scan and unrolled)
  (b)  the same equations, recomputing U_a h + b_a at every step instead of once per sequence
  (c)  a decoder made of Keras built-ins: AdditiveAttention + GRUCell + Dense, stepped with keras.ops.scan
  (d)  an encoder-decoder without attention: BiLSTM(64) -> RepeatVector -> LSTM(64) -> Dense, the cost floor
  (e)  the encoder alone (BiLSTM(64) and a Dense read-out of its first T_y outputs): what every variant pays
On TensorFlow, whose Keras default leaves XLA off on the CPU, four of the variants that XLA can compile
((a) unrolled, (a fused) unrolled, (d) and (e); not (b), which unrolls too) are timed with `jit_compile=True`
as well. On JAX every model was compiled with XLA (Keras's default there, jit_compile="auto",
when every layer supports it).
Then, as a profile, the decoders (a), (b) and (c) alone, fed fixed encoder outputs, and (a) without its
attention (eqs. 1-2 and eq. 3's weighted sum skipped at every step, c_t replaced by the mean of h,
which the code takes at every step; the loop also makes U_a h + b_a once per sequence, of which the
step uses only the shape, though a graph compiler may merge the means and reduce that product to its
shape), which shows, from below, what eqs. 1-3 cost per step.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import platform
import sys
import threading
import time
import warnings
from pathlib import Path

import keras
import numpy as np
import psutil
from keras import ops

from lstm_attention import AttentionDecoder
from lstm_attention.context import context_vector
from lstm_attention.softmax import masked_softmax

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))
from common import load_average, processor  # noqa: E402  the processor name the experiments record

T_X, T_Y, VOCABULARY, K, ENCODER_UNITS, UNITS, BATCH = 30, 10, 40, 13, 64, 64, 128
RESULTS = Path(__file__).with_name("results")
BACKEND = keras.backend.backend()


class RecomputingAttentionDecoder(AttentionDecoder):
    "(b): U_a h + b_a recomputed at every step, as a naive loop would."

    def step(self, y_prev, s_prev, h, projected, mask=None):
        projected = self.cell.project_encoder_outputs(h)
        return super().step(y_prev, s_prev, h, projected, mask)


class FixedContextDecoder(AttentionDecoder):
    """Profile only: eqs. 4-8 with c_t replaced by the mean of h (taken at every step in
    the code), so that no step computes eqs. 1-2 or eq. 3's weighted sum (attention_loop
    still makes U_a h + b_a once per sequence, of which the step uses only the shape, for
    its all-zero alpha; a graph compiler may merge the identical means and reduce that
    product to its shape)."""

    def step(self, y_prev, s_prev, h, projected, mask=None):
        c = ops.mean(h, axis=1)
        s = self.cell.gates.gates(y_prev, s_prev, c)[-1]
        logits = self.cell.output_distribution.logits(y_prev, s_prev, c)
        return logits, s, ops.zeros_like(projected[:, :, 0])


class FusedAttentionDecoder(AttentionDecoder):
    """(a fused), a prototype: eqs. 4-6 and 8 in two products per step instead of twelve.

    The named weights stay as they are; `call` concatenates them once into one kernel
    [[W_r W_z W_p W_o]; [U_r U_z 0 U_o]; [C_r C_z C_p C_o]] and one bias, and each step
    multiplies [y_{t-1}, s_{t-1}, c_t] by it, then adds (r_t * s_{t-1}) U_p for eq. 6.
    """

    def call(self, inputs, mask=None):
        g, o, n = self.cell.gates, self.cell.output_distribution, self.units
        zeros = ops.zeros((n, n), dtype=g.U_p.dtype)
        kernel = ops.concatenate(
            [
                ops.concatenate([g.W_r, g.W_z, g.W_p, o.W_o], axis=1),
                ops.concatenate([g.U_r, g.U_z, zeros, o.U_o], axis=1),
                ops.concatenate([g.C_r, g.C_z, g.C_p, o.C_o], axis=1),
            ],
            axis=0,
        )
        bias = ops.concatenate([g.b_r, g.b_z, g.b_p, o.b_o])
        # Kept off Keras's attribute tracking: these are tensors of this call, not weights.
        object.__setattr__(self, "_fused", (kernel, bias))
        return super().call(inputs, mask)

    def step(self, y_prev, s_prev, h, projected, mask=None):
        kernel, bias = self._fused
        n = self.units
        alpha = masked_softmax(self.cell.alignment.score(s_prev, projected), mask)
        c = context_vector(alpha, h)
        x = ops.concatenate([y_prev, s_prev, c], axis=-1)
        products = ops.matmul(x, kernel) + bias
        r = ops.sigmoid(products[:, :n])
        z = ops.sigmoid(products[:, n : 2 * n])
        s_tilde = ops.tanh(
            products[:, 2 * n : 3 * n] + ops.matmul(r * s_prev, self.cell.gates.U_p)
        )
        s = (1 - z) * s_prev + z * s_tilde
        return products[:, 3 * n :], s, alpha  # the logits of y_t


class BuiltinAttentionDecoder(keras.layers.Layer):
    "(c): Bahdanau attention from Keras built-ins, stepped with scan."

    def __init__(self, units, output_dim, output_length, **kwargs):
        super().__init__(**kwargs)
        self.units, self.output_dim, self.output_length = (
            units,
            output_dim,
            output_length,
        )
        self.query = keras.layers.Dense(units, use_bias=False)  # W_a s_{t-1}
        self.keys = keras.layers.Dense(units)  # U_a h_j + b_a, once per sequence
        self.attention = keras.layers.AdditiveAttention(use_scale=True)
        self.cell = keras.layers.GRUCell(units, reset_after=False)
        # s_0 = tanh(W_s h_1)
        self.initial = keras.layers.Dense(units, activation="tanh", use_bias=False)
        self.readout = keras.layers.Dense(
            output_dim
        )  # eq. 8 on [y_{t-1}; s_{t-1}; c_t]

    def build(self, input_shape):
        batch, _, d = input_shape
        self.query.build((batch, self.units))
        self.keys.build(input_shape)
        self.attention.build(
            [(batch, 1, self.units), input_shape, (batch, None, self.units)]
        )
        self.cell.build((batch, self.output_dim + d))
        self.initial.build((batch, d))
        self.readout.build((batch, self.output_dim + self.units + d))

    def call(self, h):
        keys = self.keys(h)
        s = self.initial(h[:, 0, :])
        y = ops.zeros((ops.shape(h)[0], self.output_dim), dtype=self.compute_dtype)

        def step(carry, _):
            y_prev, s_prev = carry
            query = ops.expand_dims(self.query(s_prev), 1)
            c = self.attention([query, h, keys])[:, 0, :]
            y = ops.softmax(self.readout(ops.concatenate([y_prev, s_prev, c], axis=-1)))
            s, _ = self.cell(ops.concatenate([y_prev, c], axis=-1), [s_prev])
            return (y, s), (y, s)

        _, (ys, _) = ops.scan(step, (y, s), ops.arange(self.output_length))
        return ops.transpose(ys, (1, 0, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_length, self.output_dim)


DECODERS = {
    "a": lambda: AttentionDecoder(UNITS, K, output_length=T_Y),
    "a scan": lambda: AttentionDecoder(UNITS, K, output_length=T_Y, unroll=False),
    "a unrolled": lambda: AttentionDecoder(UNITS, K, output_length=T_Y, unroll=True),
    "a fused scan": lambda: FusedAttentionDecoder(
        UNITS, K, output_length=T_Y, unroll=False
    ),
    "a fused unrolled": lambda: FusedAttentionDecoder(
        UNITS, K, output_length=T_Y, unroll=True
    ),
    "b": lambda: RecomputingAttentionDecoder(UNITS, K, output_length=T_Y),
    "c": lambda: BuiltinAttentionDecoder(UNITS, K, T_Y),
    "f": lambda: FixedContextDecoder(UNITS, K, output_length=T_Y),
}
NAMES = {
    "a": "(a) AttentionDecoder, default settings (here: unrolled)",
    "a scan": "(a) with unroll=False (keras.ops.scan)",
    "a unrolled": "(a) with unroll=True",
    "a fused scan": "(a fused) prototype, scan",
    "a fused unrolled": "(a fused) prototype, unrolled",
    "b": "(b) recomputing U_a h every step",
    "c": "(c) AdditiveAttention + GRUCell + Dense, scan",
    "d": "(d) no attention: RepeatVector + LSTM",
    "e": "(e) the encoder alone",
    "f": "(a) without eqs. 1-3 (c_t fixed): a profile",
}


def encoder(source):
    embedded = keras.layers.Embedding(VOCABULARY, 32)(source)
    lstm = keras.layers.LSTM(ENCODER_UNITS, return_sequences=True)
    return keras.layers.Bidirectional(lstm)(embedded)


def build(variant: str, jit: bool | str = "auto") -> keras.Model:
    "A whole model, from the source symbols: (a)...(e); `jit` is passed to compile."
    keras.utils.set_random_seed(0)
    source = keras.Input((T_X,), dtype="int32")
    if variant == "d":
        embedded = keras.layers.Embedding(VOCABULARY, 32)(source)
        summary = keras.layers.Bidirectional(keras.layers.LSTM(ENCODER_UNITS))(embedded)
        repeated = keras.layers.RepeatVector(T_Y)(summary)
        decoded = keras.layers.LSTM(UNITS, return_sequences=True)(repeated)
        y = keras.layers.Dense(K, activation="softmax")(decoded)
    elif variant == "e":
        y = keras.layers.Dense(K, activation="softmax")(encoder(source)[:, :T_Y, :])
    else:
        y = DECODERS[variant]()(encoder(source))
    model = keras.Model(source, y)
    model.compile(optimizer="adam", loss="categorical_crossentropy", jit_compile=jit)
    return model


def decoder_only(variant: str) -> keras.Model:
    "A decoder alone: its input is fixed encoder outputs h (batch, T_x, 2 * ENCODER_UNITS)."
    keras.utils.set_random_seed(0)
    h = keras.Input((T_X, 2 * ENCODER_UNITS))
    model = keras.Model(h, DECODERS[variant]()(h))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


class PeakRSS:
    "Peak resident memory of this process while the block runs, above its level at entry."

    def __enter__(self):
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


def steady_state(model, batches):
    "Seconds (wall, CPU) from the end of the first batch to the end of the last."
    x, y = batches[0]
    model.train_on_batch(x, y)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    for x, y in batches[1:]:
        model.train_on_batch(x, y)  # returns Python numbers: the batch has finished
    return time.perf_counter() - start_wall, time.process_time() - start_cpu


def timed(models, batches, repeats):
    "Interleaved repeats; returns {key: [(wall, CPU) seconds per sample, one per repeat]}."
    samples = (len(batches) - 1) * BATCH
    times = {key: [] for key in models}
    for repeat in range(repeats):
        for key, model in models.items():
            wall, cpu = steady_state(model, batches)
            times[key].append((wall / samples, cpu / samples))
        print(f"  repeat {repeat + 1}/{repeats}", flush=True)
    return times


def ratio(times, slower, faster, column=0):
    "Per-repeat ratios time(slower) / time(faster): (median, min, max)."
    ratios = [s[column] / f[column] for s, f in zip(times[slower], times[faster])]
    return float(np.median(ratios)), min(ratios), max(ratios)


def span(r):
    return f"{r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})"


def main() -> None:
    # The profile variant (f) gives W_a, V_a, U_a and b_a no gradient on purpose: it skips
    # eqs. 1-2, and U_a h + b_a reaches only the shape of its all-zero alpha.
    warnings.filterwarnings("ignore", message="Gradients do not exist for variables")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--batches", type=int, default=8, help="batches per timed run")
    parser.add_argument("--quick", action="store_true", help="skip latency and profile")
    args = parser.parse_args()
    load_before = load_average()

    rng = np.random.default_rng(0)
    count = BATCH * args.batches
    x = rng.integers(0, VOCABULARY, size=(count, T_X)).astype("int32")
    y = keras.utils.to_categorical(rng.integers(0, K, size=(count, T_Y)), K).astype(
        "float32"
    )
    h = rng.normal(size=(count, T_X, 2 * ENCODER_UNITS)).astype("float32")
    batches = [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, count, BATCH)]
    h_batches = [(h[i : i + BATCH], y[i : i + BATCH]) for i in range(0, count, BATCH)]

    # (a) with its default settings unrolls here (T_y is fixed); "a unrolled" would repeat it.
    default_unrolls = AttentionDecoder(UNITS, K, output_length=T_Y)._unrolled()
    unrolled = "a" if default_unrolls else "a unrolled"
    variants = ["a", "a scan"] + ([] if default_unrolls else ["a unrolled"])
    variants += ["a fused scan", "a fused unrolled", "b", "c", "d", "e"]
    models, compiled, memory, jit = {}, {}, {}, {}
    keys = list(variants)
    if (
        BACKEND == "tensorflow"
    ):  # four of the variants that XLA can compile there, with jit_compile=True
        keys += [f"{key} + XLA" for key in (unrolled, "a fused unrolled", "d", "e")]
    for key in keys:  # build, then the first batch, which traces and compiles
        variant = key.removesuffix(" + XLA")
        with PeakRSS() as peak:
            models[key] = build(variant, jit=True if key.endswith("XLA") else "auto")
            start = time.perf_counter()
            models[key].train_on_batch(*batches[0])
            compiled[key] = time.perf_counter() - start
        memory[key] = peak.growth_mb
        jit[key] = bool(models[key].jit_compile)
        print(f"{key}: first batch {compiled[key]:.1f} s, XLA {jit[key]}", flush=True)
    print("whole models:", flush=True)
    whole = timed(models, batches, args.repeats)

    alone = {}
    if not args.quick:
        decoders = {key: decoder_only(key) for key in ("a", "b", "c", "f")}
        for model in decoders.values():
            model.train_on_batch(*h_batches[0])
        print("decoders alone:", flush=True)
        alone = timed(decoders, h_batches, args.repeats)

    latency = {1: {}, 256: {}}
    if not args.quick:
        for batch in latency:
            inputs = np.resize(x, (batch, T_X))
            for key in variants:
                models[key].predict_on_batch(
                    inputs
                )  # warm-up: traces the predict function
                times = []
                for _ in range(20):
                    start = time.perf_counter()
                    ops.convert_to_numpy(models[key].predict_on_batch(inputs))
                    times.append(time.perf_counter() - start)
                latency[batch][key] = 1000 * float(np.median(times))

    def rate(key, column=0):
        return 1 / float(np.median([t[column] for t in whole[key]]))

    rows = []
    for key in keys:
        name = NAMES[key.removesuffix(" + XLA")] + (
            ", jit_compile=True" if key.endswith("XLA") else ""
        )
        cells = [
            name,
            "yes" if jit[key] else "no",
            f"{rate(key):,.0f}",
            span(ratio(whole, "a", key)),
            f"{rate(key, 1):,.0f}",
            f"{compiled[key]:.1f}",
            f"{memory[key]:,.0f}",
            f"{latency[1].get(key, float('nan')):.1f}",
            f"{latency[256].get(key, float('nan')):.1f}",
        ]
        rows.append("| " + " | ".join(cells) + " |")

    targets = [
        ("(a) >= 1.0x (c): time(c) / time(a)", "c", "a", ">=", 1.0),
        ("(a) >= 1.3x (b): time(b) / time(a)", "b", "a", ">=", 1.3),
        ("time(a) / time(d) <= 1.4", "a", "d", "<=", 1.4),
    ]
    if BACKEND == "tensorflow":
        text = f"with jit_compile=True: time({unrolled}) / time(d) <= 1.3"
        targets.append((text, f"{unrolled} + XLA", "d + XLA", "<=", 1.3))
    target_rows = []
    for text, slower, faster, sense, bound in targets:
        cells = []
        for column in (0, 1):
            r = ratio(whole, slower, faster, column)
            met = r[0] >= bound if sense == ">=" else r[0] <= bound
            cells += [span(r), "met" if met else "missed"]
        target_rows.append(f"| {text} | " + " | ".join(cells) + " |")

    choice_rows = [
        f"| {text} | {span(ratio(whole, slower, faster))} | "
        f"{span(ratio(whole, slower, faster, column=1))} |"
        for text, slower, faster in [
            ("unrolled against scan", "a scan", unrolled),
            ("fused against per-gate, scan", "a scan", "a fused scan"),
            ("fused against per-gate, unrolled", unrolled, "a fused unrolled"),
        ]
        + (
            [
                ("XLA against none, unrolled", unrolled, f"{unrolled} + XLA"),
                (
                    "XLA against none, fused unrolled",
                    "a fused unrolled",
                    "a fused unrolled + XLA",
                ),
                ("XLA against none, (d)", "d", "d + XLA"),
            ]
            if BACKEND == "tensorflow"
            else []
        )
    ]
    encoder_share = ratio(whole, "e", "a")
    alone_rows = [
        f"| {NAMES[key]} | {span(ratio(alone, 'a', key))} | {span(ratio(alone, 'a', key, 1))} |"
        for key in alone
    ]
    profile = ""
    if alone:
        profile = f"""
Where the time goes: the encoder alone, (e), takes {encoder_share[0]:.0%} of (a)'s time per sample.
The decoders alone, fed fixed encoder outputs h (speed relative to (a) alone, per repeat):

| decoder alone | speed relative to (a), wall | by CPU time |
|---|---:|---:|
{chr(10).join(alone_rows)}
"""

    header = (
        "| variant | XLA | samples/s | speed relative to (a) | samples/s by CPU time | "
    )
    header += "first batch, s | memory growth, MB | latency batch 1, ms | latency batch 256, ms |"
    report = f"""# Benchmark figures: {BACKEND}

Written by `benchmarks/run.py` on {time.strftime("%Y-%m-%d %H:%M")}: {processor()},
{platform.machine()}, {os.cpu_count()} CPU cores, load average (1, 5, 15 min) {load_before} before and
{load_average()} after, Python {platform.python_version()}, Keras {keras.__version__}, the {BACKEND}
backend, on the CPU. Steady-state training: {args.batches - 1} batches of {BATCH} after a first one,
{args.repeats} interleaved repeats. Ratios are taken within each repeat: median (lowest-highest).
"samples/s by CPU time" divides by the process's CPU time (all threads) instead of the clock.
"first batch" includes tracing and compilation. Memory: growth of the process's peak resident memory
while the model was built and its first batch run (a rough guide). Latency: median of 20
`predict_on_batch` calls.

{header}
|---|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Targets (ratios of time per sample, by the clock and by CPU time):

| target | wall | | CPU | |
|---|---:|---|---:|---|
{chr(10).join(target_rows)}

The speed choices (time of the second / time of the first, so above 1 means the first is faster):

| choice | wall | CPU |
|---|---:|---:|
{chr(10).join(choice_rows)}
{profile}"""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{BACKEND}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
