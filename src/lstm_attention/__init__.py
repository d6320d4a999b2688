"""lstm_attention: Bahdanau attention built one equation at a time, as Keras 3 layers.

Hand-kept, like `tasks/__init__.py`: every other module is generated from the book's chapters by
`make sync` (nbdev's nb_export). This file re-exports the public names of the mechanism; the helpers of
the book's tasks live in `lstm_attention.tasks`, and the input checks that the layers share, for layers
built on these pieces, in `lstm_attention.validation`. The version below is the package's only one:
pyproject.toml reads it from here.
"""

from .alignment import AlignmentScores
from .context import ContextVector, context_vector
from .decoder import AttentionCell, AttentionDecoder, attention_loop, plot_attention
from .gates import ContextGRUGates
from .output import OutputDistribution
from .softmax import AttentionWeights, masked_softmax
from .translation import (
    SCORES,
    MultiplicativeScores,
    SearchBudgetExceeded,
    TeacherForcedDecoder,
    beam_search,
    best_first_search,
    greedy_decode,
)

__all__ = [
    "AlignmentScores",
    "AttentionWeights",
    "masked_softmax",
    "ContextVector",
    "context_vector",
    "ContextGRUGates",
    "OutputDistribution",
    "AttentionCell",
    "attention_loop",
    "AttentionDecoder",
    "plot_attention",
    # chapter 10: teacher forcing, other score functions, greedy decoding, beam search
    # and the exact (best-first) search
    "TeacherForcedDecoder",
    "MultiplicativeScores",
    "SCORES",
    "greedy_decode",
    "beam_search",
    "best_first_search",
    "SearchBudgetExceeded",
]
__version__ = "0.2.0"
