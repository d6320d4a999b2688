"""Chapter 07's ablation: the echo problem, attention on or off, s_0 from h_1 or zero.

    nice -n 5 python experiments/echo_ablation.py  # about 20 minutes on a busy CPU (the file records it)

Four arms of chapter 07's attention model (LSTM(150) encoder, AttentionDecoder(150,
50)), identical but for two switches:

- attention on: the decoder as built, c_t = sum_j alpha_tj h_j (eq. 3);
  attention off: the context vector c_t is zero at every step, so the decoder sees the
  source only through its initial state s_0;
- s_0 from h_1: s_0 = tanh(W_s h_1), as built; s_0 zero: the decoder starts from a zero
  state, so the source reaches it only through attention.

Each switch is a subclass of AttentionDecoder that overrides one of its hooks
(`initial_state`, or `step` handed zeros in place of h for eq. 3), and a third subclass
combines the two for the arm with neither path; the loop is the package's. The encoder, the fed-back y_{t-1}, the sizes, the initial weights (from the
seed), the optimiser and the data are the same in all four arms.

Protocol: chapter 07's batches of 32 (the same 5,000 training and 500 held-out
sequences, Adam at 0.01, three epochs fed in chunks of 1,000 in the order the seed
draws), from seeds 0-4; seeds 0-2 of the arm "on, h_1" are made as the chapter's own
three runs are. Scored after every 1,000 training sequences, as in the chapter: all five outputs right,
x_1 right, x_2 right. After training, a replacement test: every held-out sequence's h_1
(then h_2) is replaced by that of another sequence, and the shares of sequences whose
step 1 writes the donor's x_1 and whose step 2 writes the donor's x_2 are recorded.
For reference, chapter 07's plain encoder_decoder runs the same protocol from the same
seeds; it differs from the arms in more than the two paths (an LSTM decoder, handed the
encoder's last output at every step, that never reads y_{t-1}; a softmax output layer;
other starting weights, the LSTM's forget-gate biases at 1 where every bias of the
attention decoder starts at 0), so comparing an arm with it does not isolate attention. Last, the plain model under the post's protocol (5,000 updates of one new pair
each, 100 new test pairs; seed 0 is made as the chapter's live run is), from seeds
0-4: all five right, x_1 right, x_2 right, and x_2 written as x_1.
Writes chapters/data/echo_ablation.json.
"""

import datetime
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np
from common import processor
from keras import ops

import lstm_attention
from lstm_attention import AttentionDecoder
from lstm_attention.tasks import (
    attention_encoder_decoder,
    echo_sequences,
    encoder_decoder,
    exact_match_accuracy,
    run_the_post_experiment,
)

OUTPUT = (
    Path(__file__).resolve().parents[1] / "chapters" / "data" / "echo_ablation.json"
)
SEEDS, EPOCHS, BATCH_SIZE, LEARNING_RATE, CHUNK = (0, 1, 2, 3, 4), 3, 32, 0.01, 1000
LENGTH, VOCABULARY, UNITS = 5, 50, 150


class ZeroStartDecoder(AttentionDecoder):
    "s_0 = 0: the decoder starts from a zero state; the source reaches it by attention."

    def initial_state(self, h, mask=None):
        return ops.zeros((ops.shape(h)[0], self.units), dtype=self.compute_dtype)


class NoContextDecoder(AttentionDecoder):
    "c_t = 0 at every step: eq. 3 reads zeros, so the source reaches it only by s_0."

    def step(self, y_prev, s_prev, h, projected, mask=None):
        return self.cell.step(y_prev, s_prev, ops.zeros_like(h), projected, mask)


class NoContextZeroStartDecoder(NoContextDecoder, ZeroStartDecoder):
    "Both: the decoder never sees the source (a floor: chance)."


ARMS = {  # (attention, s_0) -> the decoder's class
    ("on", "h_1"): AttentionDecoder,
    ("on", "zero"): ZeroStartDecoder,
    ("off", "h_1"): NoContextDecoder,
    ("off", "zero"): NoContextZeroStartDecoder,
    # A reference, not an arm: chapter 07's plain encoder-decoder, whose LSTM decoder
    # is handed the encoder's last output at every step.
    ("plain", "plain"): None,
}


def build(decoder_class):
    """Chapter 07's attention_encoder_decoder, with `decoder_class` as its decoder;
    None: chapter 07's encoder_decoder, without an attention decoder (a reference)."""
    if decoder_class is None:
        return encoder_decoder(LENGTH, VOCABULARY, UNITS, LEARNING_RATE)
    model, _ = attention_encoder_decoder(
        LENGTH, VOCABULARY, UNITS, LEARNING_RATE, decoder_class=decoder_class
    )
    return model


def scores(model, test):
    "All five right, x_1 right, x_2 right: shares of the held-out sequences."
    predictions = ops.convert_to_numpy(model(test.inputs))
    written = predictions.argmax(axis=-1)
    return {
        "all_five": exact_match_accuracy(test.target_sequences, written),
        "x_1": float(np.mean(written[:, 0] == test.sequences[:, 0])),
        "x_2": float(np.mean(written[:, 1] == test.sequences[:, 1])),
    }


def replacement(model, test):
    "Shares writing the donor's x_1 at step 1 and x_2 at step 2, h_1 or h_2 replaced."
    donors = np.roll(np.arange(len(test.sequences)), 1)
    h = ops.convert_to_numpy(model.get_layer("encoder")(test.inputs))
    result = {}
    for position in (0, 1):
        changed = h.copy()
        changed[:, position] = h[donors, position]
        y, _ = model.get_layer("attention_decoder")(changed)
        written = ops.convert_to_numpy(ops.argmax(y, axis=-1))
        donated = test.sequences[donors]
        result[f"h_{position + 1}"] = {
            "step_1_donor_x_1": float(np.mean(written[:, 0] == donated[:, 0])),
            "step_1_own_x_1": float(np.mean(written[:, 0] == test.sequences[:, 0])),
            "step_2_donor_x_2": float(np.mean(written[:, 1] == donated[:, 1])),
            "step_2_own_x_2": float(np.mean(written[:, 1] == test.sequences[:, 1])),
        }
    return result


def main():
    began = time.perf_counter()
    train = echo_sequences(5000, LENGTH, VOCABULARY, seed=1)
    test = echo_sequences(500, LENGTH, VOCABULARY, seed=2)
    results = {
        "about": (
            "Chapter 07's ablation, written by experiments/echo_ablation.py. runs: "
            "one per arm and seed; scores[sequences seen] = shares of the 500 "
            "held-out sequences with all five outputs right, with x_1 right (step "
            "1), with x_2 right (step 2); replacement[h_j replaced] = shares whose "
            "step 1 writes the donor's x_1 and whose step 2 writes the donor's x_2 "
            "(or their own), after training. Runs with attention and s_0 'plain' "
            "are chapter 07's encoder_decoder, for reference. post_plain: that "
            "model under the post's protocol, scored on its 100 test pairs."
        ),
        "setup": {
            "what": "attention on (c_t of eq. 3) or off (c_t = 0) x "
            "s_0 = tanh(W_s h_1) or s_0 = 0; chapter 07's batches-of-32 protocol",
            "length": LENGTH,
            "vocabulary": VOCABULARY,
            "echo": 2,
            "units": UNITS,
            "learning_rate": LEARNING_RATE,
            "batch_size": BATCH_SIZE,
            "chunk": CHUNK,
            "epochs": EPOCHS,
            "training_sequences": "echo_sequences(5000, seed=1)",
            "test_sequences": "echo_sequences(500, seed=2)",
            "seeds": list(SEEDS),
            "package": lstm_attention.__version__,
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "numpy": np.__version__,
            "processor": processor(),
            "date": datetime.date.today().isoformat(),
            "minutes": None,
        },
        "runs": [],
    }
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        results["setup"]["tensorflow"] = tf.__version__
    for (attention, start), decoder_class in ARMS.items():
        for seed in SEEDS:
            keras.utils.set_random_seed(seed)
            model = build(decoder_class)
            batch_order = np.random.default_rng(seed)
            run = {"attention": attention, "s_0": start, "seed": seed, "scores": {}}
            seen = 0
            for epoch in range(EPOCHS):
                shuffled = batch_order.permutation(len(train.inputs))
                for chunk in np.split(shuffled, len(train.inputs) // CHUNK):
                    model.fit(
                        train.inputs[chunk],
                        train.targets[chunk],
                        batch_size=BATCH_SIZE,
                        epochs=1,
                        shuffle=False,
                        verbose=0,
                    )
                    seen += len(chunk)
                    run["scores"][str(seen)] = scores(model, test)
            if decoder_class is not None:
                run["replacement"] = replacement(model, test)
            results["runs"].append(run)
            print(
                attention,
                start,
                seed,
                {k: run["scores"][k] for k in ("1000", "2000", "5000", "15000")},
                flush=True,
            )
            results["setup"]["minutes"] = round((time.perf_counter() - began) / 60, 1)
            OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    # The plain model's mistakes under the post's protocol (5,000 updates of one new
    # pair each, 100 new test pairs), from seeds 0-4: seed 0 made as chapter 07's live run.
    results["post_plain"] = []
    for seed in SEEDS:
        keras.utils.set_random_seed(seed)
        model = encoder_decoder(LENGTH, VOCABULARY, UNITS)
        accuracy = run_the_post_experiment(model, seed=seed)[5000]
        pairs = echo_sequences(100, LENGTH, VOCABULARY, seed=seed)
        written = model.predict(pairs.inputs, verbose=0).argmax(axis=-1)
        results["post_plain"].append(
            {
                "seed": seed,
                "all_five": accuracy,
                "x_1": float(np.mean(written[:, 0] == pairs.sequences[:, 0])),
                "x_2": float(np.mean(written[:, 1] == pairs.sequences[:, 1])),
                "x_2_written_as_x_1": float(
                    np.mean(written[:, 1] == pairs.sequences[:, 0])
                ),
            }
        )
        print("post protocol, plain:", results["post_plain"][-1], flush=True)
        results["setup"]["minutes"] = round((time.perf_counter() - began) / 60, 1)
        OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
