"""What the experiment scripts share: the processor's name, which every script that writes
a file in chapters/data/ records (in the file's `setup` block or at its top level; the
stored echo_post.json, written before its script recorded it, has none; loop_costs.json is
copied by hand from benchmark results), and the batches and English sources of chapter
10's number task (the same as the chapter's training loop uses)."""

import os
import platform
from pathlib import Path

import numpy as np

from lstm_attention.tasks import english_words


def load_average():
    """The machine's load averages over 1, 5 and 15 minutes, as "0.43 1.34 1.43"."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def processor():
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def number_batches(count, seed, batch_size=64):
    """Chapter 10's batches: `range(count)` shuffled from `seed`, cut into full batches (the rest dropped)."""
    order = np.random.default_rng(seed).permutation(count)
    return [
        order[i : i + batch_size] for i in range(0, count - batch_size + 1, batch_size)
    ]


def english(numbers):
    """The English words of each number, the sources of chapter 10's task."""
    return [english_words(n) for n in numbers]
