"""Chapter 10's searches, by model seed: greedy decoding, beam search with and without length
normalisation, and the exact search, on the chapter's model trained from five seeds.

    nice -n 5 python experiments/beam_verdicts.py   # 1.3 minutes in its last run ("minutes" in
                                                    # the file's setup, with the processor)
                                                    # writes chapters/data/beam_verdicts.json

For each Keras seed (0 is the chapter's own model): the model of `build_number_model`, trained as the
chapter trains it (the splits of seed 0, 4 passes in batches of 64 in the order of seeds 0, 1, 2, 3).
Then, on the validation, test and long sets:
- the exact match of greedy decoding, of beams of width 3 and 5 with length_penalty 0, 0.5 and 1 (the
  outputs ranked by log p / L**lambda; the stored labels call lambda "alpha"), and of
  `best_first_search`, the most probable output;
- for every wrong answer of greedy decoding and of the plain beams on the long set, a verdict: "search"
  when the most probable output is the right answer (the search missed it), "model" when it is not (the
  model prefers a wrong answer to the right one);
- every number where a beam without length normalisation (width 3 or 5, length_penalty 0) found an
  output more probable than greedy decoding's, with both outputs, their log-probabilities, the right
  answer and the most probable output (the beams with length_penalty 0.5 and 1 are not compared with
  greedy decoding, and the cases where a beam scored lower than greedy decoding are not counted).
Deterministic per seed on one machine; other processors round differently (see chapter 10).
"""

import datetime
import json
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
from common import english, number_batches, processor

import lstm_attention
from lstm_attention.tasks import (
    build_number_model,
    default_number_vocabulary,
    german_words,
    split_numbers,
    translate_numbers,
)

OUTPUT = (
    Path(__file__).resolve().parents[1] / "chapters" / "data" / "beam_verdicts.json"
)
SEEDS, BATCH_SIZE, PASSES = (0, 1, 2, 3, 4), 64, 4
WIDTHS, PENALTIES = (3, 5), (0.0, 0.5, 1.0)
SETS = ("validation", "test", "long")


def trained_model(vocabulary, splits, seed):
    "The chapter's model and training, from Keras seed `seed`."
    numbers = splits.train
    source = vocabulary.encode_source(english(numbers))
    previous, targets = vocabulary.encode_targets([german_words(n) for n in numbers])
    keras.utils.set_random_seed(seed)
    model = build_number_model(vocabulary)
    for epoch in range(PASSES):
        for batch in number_batches(len(numbers), epoch, BATCH_SIZE):
            model.train_on_batch([source[batch], previous[batch]], targets[batch])
    return model


def decode(model, vocabulary, numbers, **options):
    "Answers and their log-probabilities."
    answers, _, scores = translate_numbers(
        model, english(numbers), vocabulary, return_attention=True, **options
    )
    return answers, [float(s) for s in scores]


def exact_match(answers, numbers):
    return round(
        float(np.mean([a == german_words(n) for a, n in zip(answers, numbers)])), 4
    )


def one_seed(vocabulary, splits, seed):
    start = time.perf_counter()
    model = trained_model(vocabulary, splits, seed)
    run = {"seed": seed, "exact_match": {}, "verdicts": {}, "beam_beats_greedy": []}
    for name in SETS:
        numbers = getattr(splits, name)
        rights = [german_words(n) for n in numbers]
        decoded = {"greedy": decode(model, vocabulary, numbers)}
        for k in WIDTHS:
            for alpha in PENALTIES:
                decoded[f"beam {k}, alpha {alpha}"] = decode(
                    model, vocabulary, numbers, k=k, length_penalty=alpha
                )
        exact, exact_scores = decode(model, vocabulary, numbers, exact=True)
        decoded["exact"] = (exact, exact_scores)
        run["exact_match"][name] = {
            label: exact_match(answers, numbers)
            for label, (answers, _) in decoded.items()
        }
        for label in ("greedy", *(f"beam {k}, alpha 0.0" for k in WIDTHS)):
            answers, scores = decoded[label]
            if name == "long":
                wrong = [
                    {
                        "number": n,
                        "answer": a,
                        "log_p": round(s, 4),
                        "most_probable": e,
                        "most_probable_log_p": round(es, 4),
                        "verdict": "search" if e == r else "model",
                    }
                    for n, a, s, r, e, es in zip(
                        numbers, answers, scores, rights, exact, exact_scores
                    )
                    if a != r
                ]
                run["verdicts"][label] = wrong
            if label == "greedy":
                continue
            greedy, greedy_scores = decoded["greedy"]
            for n, g, gs, a, s, r, e in zip(
                numbers, greedy, greedy_scores, answers, scores, rights, exact
            ):
                if s > gs + 1e-6:
                    run["beam_beats_greedy"].append(
                        {
                            "set": name,
                            "search": label,
                            "number": n,
                            "greedy": g,
                            "greedy_log_p": round(gs, 4),
                            "beam": a,
                            "beam_log_p": round(s, 4),
                            "right": r,
                            "most_probable": e,
                        }
                    )
    run["seconds"] = round(time.perf_counter() - start, 1)
    return run


def main() -> int:
    start = time.perf_counter()
    splits = split_numbers(seed=0)
    vocabulary = default_number_vocabulary()
    runs = []
    for seed in SEEDS:
        runs.append(one_seed(vocabulary, splits, seed))
        print(seed, runs[-1]["exact_match"]["long"], runs[-1]["seconds"], flush=True)
    results = {
        "about": "chapter 10's searches by model seed; written by experiments/beam_verdicts.py",
        "setup": {
            "what": (
                "build_number_model (additive score), trained 4 passes in batches of 64 on "
                "split_numbers(seed=0).train; greedy decoding, beam search of widths 3 and 5 "
                "with length_penalty 0, 0.5 and 1, and best_first_search, on the validation, "
                "test and long sets"
            ),
            "seeds": list(SEEDS),
            "package": lstm_attention.__version__,
            "versions": {"keras": keras.__version__, "numpy": np.__version__},
            "backend": keras.backend.backend(),
            "processor": processor(),
            "machine": f"{platform.machine()}, {platform.system()}",
            "date": datetime.date.today().isoformat(),
            "minutes": round((time.perf_counter() - start) / 60, 1),
        },
        "runs": runs,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
