"""Chapter 10's model, trained as the chapter trains it, reading numbers: the attention weights that the top of
the chapter draws (the crossing alignment of German units-"und"-tens against English tens-units).

    python experiments/number_alignment.py     # under a minute ("seconds" in the file: the training alone); writes chapters/data/number_alignment.json

The data and the training are the chapter's: the splits of seed 0, Keras seed 0 for the initial weights,
four passes in batches of 64 in the order of seeds 0-3, then greedy decoding. For each number it stores the
English words read, the German pieces written (and `</s>`), whether the answer is right, and the weights
alpha (T_y, T_x), rounded to 4 decimals.
"""

import json
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
from common import processor

from lstm_attention.tasks import (
    build_number_model,
    default_number_vocabulary,
    english_words,
    german_pieces,
    german_words,
    split_numbers,
    translate_numbers,
)

OUTPUT = (
    Path(__file__).resolve().parents[1] / "chapters" / "data" / "number_alignment.json"
)
NUMBERS = (
    52,
    133,
    1147,
)  # two test numbers and one of the long test set, each with an "und"
BATCH_SIZE, PASSES = 64, 4


def main() -> int:
    keras.utils.set_random_seed(0)
    splits = split_numbers(seed=0)
    vocabulary = default_number_vocabulary()
    numbers = splits.train
    source = vocabulary.encode_source([english_words(n) for n in numbers])
    previous, targets = vocabulary.encode_targets([german_words(n) for n in numbers])
    keras.utils.set_random_seed(0)
    model = build_number_model(vocabulary)
    start = time.perf_counter()
    for epoch in range(PASSES):
        order = np.random.default_rng(epoch).permutation(len(numbers))
        for i in range(0, len(numbers) - BATCH_SIZE + 1, BATCH_SIZE):
            batch = order[i : i + BATCH_SIZE]
            model.train_on_batch([source[batch], previous[batch]], targets[batch])
    seconds = time.perf_counter() - start
    chosen = [n for n in NUMBERS if n in splits.test or n in splits.long]
    answers, attention, _ = translate_numbers(
        model, [english_words(n) for n in chosen], vocabulary, return_attention=True
    )
    examples = []
    for number, answer, alpha in zip(chosen, answers, attention):
        words = vocabulary.words(english_words(number))
        pieces = german_pieces(answer) + ["</s>"]
        alpha = np.asarray(alpha, dtype=np.float64)[: len(pieces), : len(words)]
        examples.append(
            {
                "number": number,
                "english": words,
                "german": pieces,
                "right": answer == german_words(number),
                "alpha": [[round(float(v), 4) for v in row] for row in alpha],
            }
        )
        print(number, answer, answer == german_words(number), flush=True)
    results = {
        "about": "chapter 10's model reading numbers; written by experiments/number_alignment.py",
        "setup": {
            "split_seed": 0,
            "model_seed": 0,
            "passes": PASSES,
            "batch_size": BATCH_SIZE,
        },
        "versions": {"keras": keras.__version__, "numpy": np.__version__},
        "machine": f"{platform.machine()}, {platform.system()}",
        "processor": processor(),
        "backend": keras.backend.backend(),
        "seconds": round(seconds, 1),
        "examples": examples,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
