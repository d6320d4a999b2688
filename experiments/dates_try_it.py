"""The answers to chapter 08's Try-it questions, measured: each question's model trained as the chapter trains
its own (`train_date_model`, seed 0, 40,000 training strings drawn as the chapter draws them, with seed 1, from
that question's formats), on TensorFlow, the chapters' backend, unless KERAS_BACKEND says otherwise (the stored
file records the backend and the processor).

    python experiments/dates_try_it.py     # writes chapters/data/dates_try_it.json

It trains four models (the chapter's, for comparison, and one per question); the file records the machine's
processor and cores and the script's wall-clock time ("seconds"): 5.6 minutes in its last run on a 2-core
CPU, longer on a busy one.

1. `ko_KR medium` ("1998. 5. 3.") moved from the training formats to the held-out ones: the exact match of
   each held-out format, next to the chapter's own model trained the same way on the same days. Each model
   is scored on 200 strings per held-out format drawn by `held_out_scores` with seed 4; the draw depends on the
   list of held-out formats, which the Korean one lengthens, so the two models' strings differ.
2. `es_ES short` ("3/5/98" for 3 May) left out of training: what the model writes for "3/5/98".
3. A plain (forward-only) LSTM encoder in place of the Bidirectional one, built as `build_date_model` builds
   its model with that one line changed: where the decoder looks while it writes the month of "May 3rd 98".
   `train_date_model` takes no builder (it calls the module's `build_date_model`), so the script puts its
   builder in the module's place while it trains.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # the chapters' backend

import keras  # noqa: E402
import numpy as np  # noqa: E402
from common import processor  # noqa: E402

from lstm_attention.decoder import AttentionDecoder
from lstm_attention.tasks import dates

OUTPUT = Path(__file__).resolve().parents[1] / "chapters" / "data" / "dates_try_it.json"
TRAIN_COUNT = 40_000


def by_name(formats, name):
    return [f for f in formats if f.name == name]


def without(formats, name):
    return tuple(f for f in formats if f.name != name)


def held_out_scores(model, splits, held_out):
    """Exact match of each held-out format, on 200 strings of it written on test days."""
    examples = dates.date_examples(
        splits.test, 200 * len(held_out), seed=4, formats=held_out
    )
    answers = dates.translate(model, examples.strings)
    scores = {}
    for name in sorted(set(examples.formats)):
        rows = [i for i, f in enumerate(examples.formats) if f == name]
        right = [
            answers[i] == examples.targets[i] for i in rows if not examples.ambiguous[i]
        ]
        scores[name] = round(float(np.mean(right)), 4)
    return scores


def plain_lstm_build(
    vocabulary=None,
    embedding_dim=32,
    encoder_units=64,
    decoder_units=64,
    learning_rate=0.005,
):
    """`build_date_model` with a forward-only LSTM encoder (of 128 units, as many as the two directions)."""
    vocabulary = dates.default_date_vocabulary() if vocabulary is None else vocabulary
    characters = keras.Input(shape=(None,), dtype="int32", name="characters")
    embedded = keras.layers.Embedding(
        vocabulary.input_size, embedding_dim, mask_zero=True, name="embedding"
    )(characters)
    h = keras.layers.LSTM(2 * encoder_units, return_sequences=True, name="encoder")(
        embedded
    )
    y, _ = AttentionDecoder(
        decoder_units,
        vocabulary.output_size,
        output_length=vocabulary.output_length,
        return_attention=True,
        unroll=False,
        name="decoder",
    )(h)
    model = keras.Model(characters, y, name="dates")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main() -> int:
    start = time.perf_counter()
    splits = dates.split_dates(seed=0)
    data = dates.date_datasets()
    results = {
        "about": "chapter 08's Try-it questions, measured; written by experiments/dates_try_it.py",
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "machine": f"{platform.machine()}, {platform.system()}",
        "processor": processor(),
        "cores": os.cpu_count(),
        "backend": keras.backend.backend(),
    }

    def save():
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")

    # The chapter's own model, for comparison with question 1.
    model, _ = dates.train_date_model(data.train, data.validation, report=None)
    results["chapter_model"] = {
        "held_out": held_out_scores(model, splits, dates.HELD_OUT_FORMATS)
    }
    save()

    # 1. ko_KR medium held out.
    korean = by_name(dates.TRAINING_FORMATS, "ko_KR medium")
    assert len(korean) == 1, korean
    training = without(dates.TRAINING_FORMATS, "ko_KR medium")
    held_out = tuple(dates.HELD_OUT_FORMATS) + tuple(korean)
    train = dates.date_examples(splits.train, TRAIN_COUNT, seed=1, formats=training)
    model, _ = dates.train_date_model(train, data.validation, report=None)
    results["korean_held_out"] = {"held_out": held_out_scores(model, splits, held_out)}
    print("1:", results["korean_held_out"], flush=True)
    save()

    # 2. es_ES short left out.
    training = without(dates.TRAINING_FORMATS, "es_ES short")
    assert len(training) == len(dates.TRAINING_FORMATS) - 1
    train = dates.date_examples(splits.train, TRAIN_COUNT, seed=1, formats=training)
    model, _ = dates.train_date_model(train, data.validation, report=None)
    strings = ["3/5/98", "4/6/01", "10/11/12"]
    results["spanish_short_left_out"] = {
        "answers": dict(zip(strings, dates.translate(model, strings))),
        "readings": {s: [str(d) for d in dates.date_readings(s)] for s in strings},
    }
    print("2:", results["spanish_short_left_out"], flush=True)
    save()

    # 3. A forward-only LSTM encoder.
    bidirectional = dates.build_date_model
    dates.build_date_model = plain_lstm_build  # train_date_model builds through it
    try:
        model, _ = dates.train_date_model(data.train, data.validation, report=None)
    finally:
        dates.build_date_model = bidirectional
    string = "May 3rd 98"
    alpha = keras.ops.convert_to_numpy(
        dates.date_attention_model(model)(
            dates.trim_padding(dates.default_date_vocabulary().encode([string]))
        )
    )[0]
    # Steps t and positions j are counted from 1, as the book counts them.
    month_steps = [6, 7]  # the ISO characters "0" and "5" of "1998-05-03"

    def looked_at(t):
        j = int(alpha[t - 1].argmax())  # from 0
        return {
            "position": j + 1,
            "character": string[j] if j < len(string) else "(padding)",
            "weight": round(float(alpha[t - 1, j]), 4),
        }

    results["forward_only_encoder"] = {
        "string": string,
        "answer": dates.translate(model, [string])[0],
        "test_exact_match": round(
            dates.date_exact_match(
                dates.translate(model, data.test.strings), data.test
            ),
            4,
        ),
        "month_steps_look_at": {str(t): looked_at(t) for t in month_steps},
        "month_steps_weights": [
            [round(float(w), 4) for w in alpha[t - 1][: len(string)]]
            for t in month_steps
        ],
    }
    print("3:", results["forward_only_encoder"], flush=True)
    results["seconds"] = round(time.perf_counter() - start, 1)
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
