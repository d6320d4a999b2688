"""Training throughput, peak memory and inference latency of the AttentionDecoder and its alternatives.

Run with `make bench`; writes benchmarks/RESULTS.md. All variants run in this one process, interleaved
(repeat 1 of every variant, then repeat 2, ...), so that drift in the machine's speed hits them alike; the
figures that matter are the ratios between variants, not the absolute times.

The problem has the size of chapter 8's dates task: T_x = 30 input characters from a vocabulary of 40,
T_y = 10 output symbols out of K = 13, a BiLSTM(64) encoder (d = 128), decoders of n = 64 units, batch 128.
Variants:
  (a)  AttentionDecoder, the book's layer (loop: keras.ops.scan)
  (a') AttentionDecoder(unroll=True), the same layer with the loop unrolled
  (b)  the same equations, recomputing U_a h + b_a at every step instead of once per sequence
  (c)  a decoder made of Keras built-ins: AdditiveAttention + GRUCell + Dense, stepped with keras.ops.scan
  (d)  an encoder-decoder without attention: BiLSTM(64) -> RepeatVector -> LSTM(64) -> Dense, the cost floor
  (e)  the encoder alone (BiLSTM(64) and a Dense read-out of its first T_y outputs): what every variant pays
Then, as a profile of where the time goes, the decoders (a), (b) and (c) alone, fed fixed encoder outputs, and
(a) without its attention (eqs. 1-3 skipped, c_t fixed to the mean of h), which shows what eqs. 1-3 cost.
Times are wall-clock; the CPU time of the process (all threads) is reported beside them, because it is less
disturbed when other programs share the machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import platform
import warnings
import threading
import time
from pathlib import Path

import keras
import numpy as np
import psutil
from keras import ops

from lstm_attention import AttentionDecoder
from lstm_attention.softmax import masked_softmax

T_X, T_Y, VOCABULARY, K, ENCODER_UNITS, UNITS, BATCH = 30, 10, 40, 13, 64, 64, 128
RESULTS = Path(__file__).with_name("RESULTS.md")


class RecomputingAttentionDecoder(AttentionDecoder):
    "(b): eqs. 1-8 as in AttentionDecoder, but U_a h + b_a is recomputed at every step, as the original layer did."

    def step(self, y_prev, s_prev, h, projected, mask=None):
        return super().step(y_prev, s_prev, h, self.alignment.project_encoder_outputs(h), mask)


class FixedContextDecoder(AttentionDecoder):
    "Profile only: eqs. 4-8 with c_t fixed to the mean of h, so eqs. 1-3 (the attention) cost nothing."

    def step(self, y_prev, s_prev, h, projected, mask=None):
        c = ops.mean(h, axis=1)
        s = self.gates.gates(y_prev, s_prev, c)[-1]
        y = ops.softmax(self.output_distribution.logits(y_prev, s_prev, c))
        return y, s, ops.zeros_like(projected[:, :, 0])


class BuiltinAttentionDecoder(keras.layers.Layer):
    "(c): Bahdanau attention from Keras built-ins: AdditiveAttention, GRUCell and Dense layers, stepped with scan."

    def __init__(self, units, output_dim, output_length, **kwargs):
        super().__init__(**kwargs)
        self.units, self.output_dim, self.output_length = units, output_dim, output_length
        self.query = keras.layers.Dense(units, use_bias=False)   # W_a s_{t-1}
        self.keys = keras.layers.Dense(units)                    # U_a h_j + b_a, once per sequence
        self.attention = keras.layers.AdditiveAttention(use_scale=True)
        self.cell = keras.layers.GRUCell(units, reset_after=False)
        self.initial = keras.layers.Dense(units, activation="tanh", use_bias=False)  # s_0 = tanh(W_s h_1)
        self.readout = keras.layers.Dense(output_dim)            # eq. 8 on [y_{t-1}; s_{t-1}; c_t]

    def build(self, input_shape):
        batch, _, d = input_shape
        self.query.build((batch, self.units))
        self.keys.build(input_shape)
        self.attention.build([(batch, 1, self.units), input_shape, (batch, None, self.units)])
        self.cell.build((batch, self.output_dim + d))
        self.initial.build((batch, d))
        self.readout.build((batch, self.output_dim + self.units + d))

    def call(self, h):
        keys = self.keys(h)
        s = self.initial(h[:, 0, :])
        y = ops.zeros((ops.shape(h)[0], self.output_dim), dtype=self.compute_dtype)

        def step(carry, _):
            y_prev, s_prev = carry
            c = self.attention([ops.expand_dims(self.query(s_prev), 1), h, keys])[:, 0, :]
            y = ops.softmax(self.readout(ops.concatenate([y_prev, s_prev, c], axis=-1)))
            s, _ = self.cell(ops.concatenate([y_prev, c], axis=-1), [s_prev])
            return (y, s), (y, s)

        _, (ys, _) = ops.scan(step, (y, s), ops.arange(self.output_length))
        return ops.transpose(ys, (1, 0, 2))


def encoder(source):
    embedded = keras.layers.Embedding(VOCABULARY, 32)(source)
    return keras.layers.Bidirectional(keras.layers.LSTM(ENCODER_UNITS, return_sequences=True))(embedded)


def decoder_only(variant: str) -> keras.Model:
    "Variant (a), (b) or (c) without the encoder: input fixed encoder outputs h (batch, T_x, 2 * ENCODER_UNITS)."
    keras.utils.set_random_seed(0)
    h = keras.Input((T_X, 2 * ENCODER_UNITS))
    decoder = {
        "a": lambda: AttentionDecoder(UNITS, K, output_length=T_Y),
        "b": lambda: RecomputingAttentionDecoder(UNITS, K, output_length=T_Y),
        "c": lambda: BuiltinAttentionDecoder(UNITS, K, T_Y),
        "f": lambda: FixedContextDecoder(UNITS, K, output_length=T_Y),
    }[variant]()
    model = keras.Model(h, decoder(h))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def build(variant: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    source = keras.Input((T_X,), dtype="int32")
    if variant == "d":
        embedded = keras.layers.Embedding(VOCABULARY, 32)(source)
        summary = keras.layers.Bidirectional(keras.layers.LSTM(ENCODER_UNITS))(embedded)
        decoded = keras.layers.LSTM(UNITS, return_sequences=True)(keras.layers.RepeatVector(T_Y)(summary))
        y = keras.layers.Dense(K, activation="softmax")(decoded)
    elif variant == "e":
        y = keras.layers.Dense(K, activation="softmax")(encoder(source)[:, :T_Y, :])
    else:
        h = encoder(source)
        if variant == "a":
            y = AttentionDecoder(UNITS, K, output_length=T_Y)(h)
        elif variant == "a'":
            y = AttentionDecoder(UNITS, K, output_length=T_Y, unroll=True)(h)
        elif variant == "b":
            y = RecomputingAttentionDecoder(UNITS, K, output_length=T_Y)(h)
        elif variant == "c":
            y = BuiltinAttentionDecoder(UNITS, K, T_Y)(h)
    model = keras.Model(source, y)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


class PeakRSS:
    "Peak resident memory of this process while the block runs, sampled every 5 ms, above its level at entry."

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


def timed_epochs(models, x, y, repeats):
    "Train every model for one epoch per repeat, interleaved; return {key: (wall seconds, CPU seconds)} medians."
    wall, cpu = {key: [] for key in models}, {key: [] for key in models}
    for repeat in range(repeats):
        for key, model in models.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
            wall[key].append(time.perf_counter() - start_wall)
            cpu[key].append(time.process_time() - start_cpu)
        print(f"  repeat {repeat + 1}/{repeats}", flush=True)
    return {key: (float(np.median(wall[key])), float(np.median(cpu[key]))) for key in models}


def main() -> None:
    # The profile variant (f) leaves W_a and V_a out of the computation on purpose.
    warnings.filterwarnings("ignore", message="Gradients do not exist for variables")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, default=16, help="batches per timed epoch")
    args = parser.parse_args()

    names = {
        "a": "(a) AttentionDecoder, scan loop",
        "a'": "(a') AttentionDecoder, unroll=True",
        "b": "(b) recomputing U_a h every step",
        "c": "(c) AdditiveAttention + GRUCell, scan loop",
        "d": "(d) no attention: RepeatVector + LSTM",
        "e": "(e) the encoder alone",
    }
    rng = np.random.default_rng(0)
    count = BATCH * args.batches
    x = rng.integers(0, VOCABULARY, size=(count, T_X))
    y = keras.utils.to_categorical(rng.integers(0, K, size=(count, T_Y)), K)
    h = rng.normal(size=(count, T_X, 2 * ENCODER_UNITS)).astype("float32")

    models, first_epoch, memory = {}, {}, {}
    for key in names:  # build, then one epoch that includes tracing and compilation
        with PeakRSS() as peak:
            models[key] = build(key)
            start = time.perf_counter()
            models[key].fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
            first_epoch[key] = time.perf_counter() - start
        memory[key] = peak.growth_mb
        print(f"{names[key]}: first epoch (with tracing) {first_epoch[key]:.1f} s", flush=True)
    print("whole models:", flush=True)
    whole = timed_epochs(models, x, y, args.repeats)

    alone_names = {**{key: names[key] for key in ("a", "b", "c")}, "f": "(a) without eqs. 1-3 (c_t fixed): a profile"}
    decoders = {key: decoder_only(key) for key in alone_names}
    for model in decoders.values():
        model.fit(h, y, batch_size=BATCH, epochs=1, verbose=0)
    print("decoders alone:", flush=True)
    alone = timed_epochs(decoders, h, y, args.repeats)

    latency = {}
    for batch in (1, 256):
        inputs = np.resize(x, (batch, T_X))
        latency[batch] = {}
        for key in names:
            models[key].predict_on_batch(inputs)  # warm-up: traces the predict function
            times = []
            for _ in range(20):
                start = time.perf_counter()
                models[key].predict_on_batch(inputs)
                times.append(time.perf_counter() - start)
            latency[batch][key] = 1000 * float(np.median(times))

    def rate(seconds):
        return count / seconds

    a_wall, a_cpu = whole["a"]
    rows = [
        f"| {name} | {rate(whole[key][0]):,.0f} | {a_wall / whole[key][0]:.2f} | {rate(whole[key][1]):,.0f} | "
        f"{a_cpu / whole[key][1]:.2f} | {first_epoch[key]:.1f} | {memory[key]:,.0f} | {latency[1][key]:.1f} | "
        f"{latency[256][key]:.1f} |"
        for key, name in names.items()
    ]
    alone_rows = [
        f"| {alone_names[key]} | {rate(alone[key][0]):,.0f} | {alone['a'][0] / alone[key][0]:.2f} | "
        f"{rate(alone[key][1]):,.0f} | {alone['a'][1] / alone[key][1]:.2f} |"
        for key in alone
    ]
    encoder_share = whole["e"][0] / a_wall
    targets = [
        ("(a) >= 1.5x (b) in training throughput", whole["b"][0] / a_wall, whole["b"][1] / a_cpu, ">=", 1.5),
        ("(a) >= 1.0x (c) in training throughput", whole["c"][0] / a_wall, whole["c"][1] / a_cpu, ">=", 1.0),
        ("(a)'s time per sample <= 1.3x (d)'s", a_wall / whole["d"][0], a_cpu / whole["d"][1], "<=", 1.3),
    ]
    target_rows = []
    for text, by_wall, by_cpu, sense, bound in targets:
        met = by_wall >= bound if sense == ">=" else by_wall <= bound
        target_rows.append(f"| {text} | {by_wall:.2f} | {by_cpu:.2f} | {'met' if met else 'missed'} |")

    report = f"""# Benchmark results

Written by `make bench` (`benchmarks/run.py`) on {time.strftime('%Y-%m-%d')}: {platform.machine()}, {os.cpu_count()} CPU cores,
Python {platform.python_version()}, Keras {keras.__version__} with the {keras.backend.backend()} backend, on the CPU.
The problem has the size of the dates task: T_x = {T_X}, T_y = {T_Y}, K = {K}, a BiLSTM({ENCODER_UNITS}) encoder
(d = {2 * ENCODER_UNITS}), n = {UNITS} units, batch {BATCH}; {count} samples per epoch. Throughput is the median of
{args.repeats} epochs per variant, run interleaved in one process; "by CPU time" divides by the process's CPU
time instead of the wall-clock time. Memory is the growth of the process's peak resident memory while the
variant was built and trained for its first epoch (variants built later reuse memory the allocator already
holds: a rough guide only). Latency is the median of 20 calls of `predict_on_batch` (greedy decoding: each step
feeds back the previous distribution).

| variant | samples/s | relative to (a) | samples/s by CPU time | relative to (a), by CPU time | first epoch, s | peak memory growth, MB | latency batch 1, ms | latency batch 256, ms |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

Targets (ratios of times per sample):

| target | by wall time | by CPU time | |
|---|---:|---:|---|
{chr(10).join(target_rows)}

Where the time goes: the encoder alone, (e), takes {encoder_share:.0%} of (a)'s training time. The decoders
alone, fed fixed encoder outputs h:

| decoder alone | samples/s | relative to (a) | samples/s by CPU time | relative to (a), by CPU time |
|---|---:|---:|---:|---:|
{chr(10).join(alone_rows)}
"""
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
