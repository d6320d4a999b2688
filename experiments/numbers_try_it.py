"""The answers to chapter 10's first two Try-it questions, measured, with the chapter's data and training: the
splits of seed 0, Keras seed 0 for the initial weights, passes in batches of 64 in the order of seeds 0, 1, ...

    python experiments/numbers_try_it.py     # 30 s in its last run ("seconds" in the file); writes chapters/data/numbers_try_it.json

1. 100 seven-piece numbers (drawn with seed 0 from the `long` set) moved into training: the exact match on
   the other 300 `long` numbers, and how many of the wrong answers are shorter than the right one, next to
   the chapter's model (trained the same way without them) on the same 300 numbers.
2. The free-running model of the chapter (chapter 6's `AttentionDecoder`, T_y = 8) trained for 8 passes
   instead of 4: the exact match on the validation, test and long sets after pass 4 and after pass 8, the
   teacher-forced model's for comparison, and a few of its wrong answers.
"""

import json
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
from common import english, number_batches, processor
from keras import ops

from lstm_attention.decoder import AttentionDecoder
from lstm_attention.tasks import (
    build_number_model,
    default_number_vocabulary,
    german_pieces,
    german_words,
    split_numbers,
    translate_numbers,
)

OUTPUT = (
    Path(__file__).resolve().parents[1] / "chapters" / "data" / "numbers_try_it.json"
)
BATCH_SIZE, PASSES, MOVED = 64, 4, 100


def exact_match(answers, numbers):
    return round(
        float(np.mean([a == german_words(n) for a, n in zip(answers, numbers)])), 4
    )


def arrays(vocabulary, numbers):
    source = vocabulary.encode_source(english(numbers))
    previous, targets = vocabulary.encode_targets([german_words(n) for n in numbers])
    return source, previous, targets


def teacher_forced(vocabulary, numbers, passes=PASSES):
    """The chapter's model, trained as the chapter trains it, on `numbers`."""
    source, previous, targets = arrays(vocabulary, numbers)
    keras.utils.set_random_seed(0)
    model = build_number_model(vocabulary)
    for epoch in range(passes):
        for batch in number_batches(len(numbers), epoch, BATCH_SIZE):
            model.train_on_batch([source[batch], previous[batch]], targets[batch])
    return model


def errors(answers, numbers):
    wrong = [(n, a) for n, a in zip(numbers, answers) if a != german_words(n)]
    shorter = sum(
        len(german_pieces(a)) < len(german_pieces(german_words(n))) for n, a in wrong
    )
    return {
        "wrong": len(wrong),
        "shorter": shorter,
        "examples": [[n, a, german_words(n)] for n, a in wrong[:5]],
    }


def question_1(splits, vocabulary):
    order = np.random.default_rng(0).permutation(len(splits.long))
    moved = sorted(splits.long[i] for i in order[:MOVED])
    kept = sorted(splits.long[i] for i in order[MOVED:])
    answer = {"moved": MOVED, "tested_on": len(kept)}
    for name, numbers in (
        ("chapter", list(splits.train)),
        ("with_seven_piece", list(splits.train) + moved),
    ):
        model = teacher_forced(vocabulary, numbers)
        answers = translate_numbers(model, english(kept), vocabulary)
        test = translate_numbers(model, english(splits.test), vocabulary)
        answer[name] = {
            "long_exact_match": exact_match(answers, kept),
            "test_exact_match": exact_match(test, splits.test),
            **errors(answers, kept),
        }
        print(name, answer[name], flush=True)
    return answer


def question_2(splits, vocabulary):
    units, embedding_dim, steps = 64, 32, 8
    keras.utils.set_random_seed(0)
    source = keras.Input(shape=(None,), dtype="int32")
    embedded = keras.layers.Embedding(
        vocabulary.source_size, embedding_dim, mask_zero=True
    )(source)
    h = keras.layers.Bidirectional(keras.layers.GRU(units // 2, return_sequences=True))(
        embedded
    )
    free = keras.Model(
        source, AttentionDecoder(units, vocabulary.target_size, output_length=steps)(h)
    )
    free.compile(
        optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy"
    )
    train = arrays(vocabulary, splits.train)
    padded = np.pad(train[2], ((0, 0), (0, steps - train[2].shape[1])))
    weights = (padded != 0).astype("float32")

    def answers(numbers):
        ids = ops.convert_to_numpy(free(vocabulary.encode_source(english(numbers))))
        return [vocabulary.decode(row) for row in ids.argmax(-1)]

    answer = {}
    for epoch in range(2 * PASSES):
        for batch in number_batches(len(splits.train), epoch, BATCH_SIZE):
            free.train_on_batch(
                train[0][batch], padded[batch], sample_weight=weights[batch]
            )
        if epoch + 1 in (PASSES, 2 * PASSES):
            scores = {
                name: exact_match(answers(getattr(splits, name)), getattr(splits, name))
                for name in ("validation", "test", "long")
            }
            scores["long_errors"] = errors(answers(splits.long), splits.long)
            answer[f"free_running_pass_{epoch + 1}"] = scores
            print(epoch + 1, scores, flush=True)
    model = teacher_forced(vocabulary, list(splits.train))
    answer["teacher_forcing_pass_4"] = {
        name: exact_match(
            translate_numbers(model, english(getattr(splits, name)), vocabulary),
            getattr(splits, name),
        )
        for name in ("validation", "test", "long")
    }
    print(answer["teacher_forcing_pass_4"], flush=True)
    return answer


def main() -> int:
    start = time.perf_counter()
    splits = split_numbers(seed=0)
    vocabulary = default_number_vocabulary()
    results = {
        "about": "chapter 10's Try-it, measured; written by experiments/numbers_try_it.py",
        "question_1": question_1(splits, vocabulary),
        "question_2": question_2(splits, vocabulary),
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "machine": f"{platform.machine()}, {platform.system()}",
        "processor": processor(),
        "backend": keras.backend.backend(),
    }
    results["seconds"] = round(time.perf_counter() - start, 1)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
