"""Chapter 09's experiment with several model seeds: the ranges its prose states.

    nice -n 5 python experiments/length_seeds.py   # writes chapters/data/length_seeds.json

Its last run took 3.2 minutes (3.0 of them training) on a 2-core CPU with light work beside it (an
earlier run on the same machine, under heavier load, took 10.3 and stored the same figures but for the
times and attention_lookup, which it did not yet measure); the file records the total ("setup":
"minutes") and each run's training time ("seconds").

The data are the chapter's (training seed 1, test seed 2); only the seed of the models' initial weights and
of the batch order changes. Seed 1 is the seed the chapter trains with live; on another processor, or even
on the same one, its numbers can differ slightly from the stored ones (CPU training is not bitwise
reproducible). For each seed and model it stores the scores by bucket of three lengths and by length, the
per-symbol accuracy at each output step on the length-24 test sequences, how often the first output (x_L)
and the last (x_1) are right at each length, for the attention model the share of output steps whose largest attention
weight sits on the position it copies (L + 1 - t), and, for the plain encoder-decoder, what it writes when one
half of the encoder's final vector (the forward LSTM's or the backward LSTM's) is taken from the previous
sequence.
"""

import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
from common import processor

import lstm_attention
from lstm_attention.tasks import (
    accuracy_by_length,
    reversal_attention_models,
    reversal_data,
    reversal_encoder_decoder,
    train_reversal,
)

OUTPUT = Path(__file__).resolve().parents[1] / "chapters" / "data" / "length_seeds.json"
SEEDS = (1, 2, 3)
MIN_LENGTH, MAX_LENGTH, ALPHABET_SIZE, EPOCHS, BATCH_SIZE = 4, 24, 8, 7, 64
BUCKET_EDGES = list(range(MIN_LENGTH, MAX_LENGTH + 2, 3))  # 4-6, 7-9, ..., 22-24


def swapped_halves(model, sources, targets):
    """What the plain model writes at each step when half of its encoder's final vector comes from the
    previous sequence (sequence i gets it from sequence i - 1). Returns {half: {"own": [share by step], "donor's": [share by step]}}."""
    summary = keras.Model(model.input, model.get_layer("encoder").output)(sources)
    summary = keras.ops.convert_to_numpy(
        summary
    )  # (count, 64): forward LSTM's 32, then backward's 32
    donors = np.roll(np.arange(len(sources)), 1)
    result = {}
    for half, columns in (("forward", slice(0, 32)), ("backward", slice(32, 64))):
        mixed = summary.copy()
        mixed[:, columns] = summary[donors, columns]
        x = model.get_layer("repeat")(mixed)
        y = model.get_layer("output")(model.get_layer("decoder")(x))
        written = np.argmax(keras.ops.convert_to_numpy(y), axis=-1)
        result[half] = {
            "own": (written == targets).mean(axis=0).round(4).tolist(),
            "donor's": (written == targets[donors]).mean(axis=0).round(4).tolist(),
        }
    return result


def first_and_last(predictions, targets, lengths):
    """Share of the test sequences of each length whose first output (x_L) and last (x_1)
    are right."""
    written = np.argmax(predictions, axis=-1)
    rows = {"lengths": [], "first": [], "last": []}
    for length in range(MIN_LENGTH, MAX_LENGTH + 1):
        chosen = lengths == length
        rows["lengths"].append(length)
        rows["first"].append(
            round(float(np.mean(written[chosen, 0] == targets[chosen, 0])), 4)
        )
        rows["last"].append(
            round(
                float(
                    np.mean(written[chosen, length - 1] == targets[chosen, length - 1])
                ),
                4,
            )
        )
    return rows


def attention_lookup(weights_model, sources, lengths):
    """Where the attention model looks: the share of the real output steps t whose largest weight
    alpha_tj sits on source position j = L + 1 - t, over all test sequences and at each length."""
    alpha = keras.ops.convert_to_numpy(
        weights_model.predict(sources, batch_size=300, verbose=0)
    )  # (count, T_y, T_x)
    step = np.arange(alpha.shape[1])[None, :]  # t - 1
    there = (
        np.argmax(alpha, axis=-1) == lengths[:, None] - 1 - step
    )  # index of L + 1 - t
    real = step < lengths[:, None]  # the L real output steps
    by_length = [
        round(float(there[lengths == length][:, :length].mean()), 4)
        for length in range(MIN_LENGTH, MAX_LENGTH + 1)
    ]
    return {
        "all_steps": round(float(there[real].mean()), 4),
        "lengths": list(range(MIN_LENGTH, MAX_LENGTH + 1)),
        "by_length": by_length,
    }


def main():
    began = time.perf_counter()
    train = reversal_data(6000, MIN_LENGTH, MAX_LENGTH, ALPHABET_SIZE, seed=1)
    test_sources, test_targets, test_lengths = reversal_data(
        2100, MIN_LENGTH, MAX_LENGTH, ALPHABET_SIZE, seed=2, every_length_equally=True
    )
    longest = test_lengths == MAX_LENGTH
    results = {
        "about": "chapter 09's experiment by model seed; written by experiments/length_seeds.py",
        "setup": {
            "what": "reversal, chapter 09's two models trained with train_reversal",
            "seeds": list(SEEDS),
            "training_sequences": 6000,
            "training_data_seed": 1,
            "test_sequences": 2100,
            "test_data_seed": 2,
            "lengths": [MIN_LENGTH, MAX_LENGTH],
            "alphabet_size": ALPHABET_SIZE,
            "epochs": EPOCHS,
            "batch_size": BATCH_SIZE,
            "package": lstm_attention.__version__,
            "backend": keras.backend.backend(),
            "processor": processor(),
            "cores": os.cpu_count(),
            "date": datetime.date.today().isoformat(),
            "minutes": None,  # filled in at the end
        },
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "machine": f"{platform.machine()}, {platform.system()}",
        "runs": [],
    }
    for seed in SEEDS:
        plain = reversal_encoder_decoder(MAX_LENGTH, ALPHABET_SIZE, seed=seed)
        attention, weights_model = reversal_attention_models(
            MAX_LENGTH, ALPHABET_SIZE, seed=seed
        )
        for model in (plain, attention):
            seconds, losses = train_reversal(
                model, *train, EPOCHS, BATCH_SIZE, seed=seed
            )
            predictions = model.predict(test_sources, batch_size=300, verbose=0)
            rows = accuracy_by_length(
                test_targets, predictions, test_lengths, BUCKET_EDGES
            )
            per_length = accuracy_by_length(test_targets, predictions, test_lengths)
            by_step = (
                np.argmax(predictions[longest], axis=-1) == test_targets[longest]
            ).mean(axis=0)
            run = {
                "model": model.name,
                "seed": seed,
                "seconds": round(seconds, 1),
                "loss": [round(v, 4) for v in losses],
                "buckets": {
                    k: np.asarray(v).round(4).tolist() for k, v in rows.items()
                },
                "by_length": {
                    k: np.asarray(v).round(4).tolist()
                    for k, v in per_length.items()
                    if k in ("shortest", "symbol_accuracy", "exact_match")
                },
                "longest_by_step": by_step.round(4).tolist(),
                "first_last_by_length": first_and_last(
                    predictions, test_targets, test_lengths
                ),
            }
            if model is attention:
                run["attention_lookup"] = attention_lookup(
                    weights_model, test_sources, test_lengths
                )
            if model is plain:
                run["swapped_halves"] = swapped_halves(
                    model, test_sources[longest], test_targets[longest]
                )
            results["runs"].append(run)
            print(
                seed,
                model.name,
                f"{seconds:.0f} s",
                run["buckets"]["symbol_accuracy"],
                flush=True,
            )
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    results["setup"]["minutes"] = round((time.perf_counter() - began) / 60, 1)
    OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
