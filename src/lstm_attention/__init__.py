"""lstm_attention: Bahdanau attention built one equation at a time, as Keras 3 layers.

Hand-kept, like `tasks/__init__.py`: every other module is generated from the book's chapters by
`make sync` (nbdev's nb_export). This file re-exports the public names of the mechanism; the helpers of
the book's tasks live in `lstm_attention.tasks`.
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
    TeacherForcedDecoder,
    beam_search,
    greedy_decode,
)
from .validation import (
    batch_size,
    check_inputs,
    check_last_dimension_known,
    check_matches_built,
    check_matches_setting,
    check_rank,
    check_same_batch,
    check_step_inputs,
    positive_integer,
    static_shape,
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
    # chapter 10: teacher forcing, other score functions, greedy decoding and beam search
    "TeacherForcedDecoder",
    "MultiplicativeScores",
    "SCORES",
    "greedy_decode",
    "beam_search",
    # the input checks every layer above shares (chapter 01), for layers built on these pieces
    "positive_integer",
    "static_shape",
    "batch_size",
    "check_inputs",
    "check_rank",
    "check_last_dimension_known",
    "check_matches_setting",
    "check_matches_built",
    "check_same_batch",
    "check_step_inputs",
]
__version__ = "0.1.0"
