"""Train chapter 08's dates model and store it in the package: what `make checkpoint` runs.

    python tools/make_checkpoint.py

The same calls as the chapter, with the same seeds: `date_datasets()` builds the data,
`train_date_model` trains the model, and `save_date_model` writes it, without its optimizer
state, to src/lstm_attention/tasks/ (dates_model.keras and dates_vocabulary.json), where
`pretrained_date_model()` finds it. tests/test_dates.py checks that it still scores at least
99 % on the chapter's test set.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "lstm_attention" / "tasks"


def main() -> int:
    from lstm_attention.tasks.dates import (
        date_datasets,
        date_exact_match,
        save_date_model,
        train_date_model,
        translate,
    )

    data = date_datasets()
    wall, processor = time.perf_counter(), time.process_time()
    model, _ = train_date_model(data.train, data.validation)
    wall, processor = time.perf_counter() - wall, time.process_time() - processor
    print(
        f"trained in {wall:.0f} s on the wall clock, {processor:.0f} s of processor time"
    )
    test = date_exact_match(translate(model, data.test.strings), data.test)
    new = date_exact_match(translate(model, data.new_formats.strings), data.new_formats)
    print(f"exact match: test {test:.2%}, held-out formats {new:.2%}")
    path = save_date_model(model, TARGET)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
