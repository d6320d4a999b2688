"""lstm_attention: Bahdanau attention built one equation at a time, as Keras 3 layers.

Hand-kept, like `tasks/__init__.py`: every other module is generated from the book's chapters by
`make sync` (nbdev's nb_export). This file re-exports the public names of the mechanism; the helpers of
the book's tasks live in `lstm_attention.tasks`.
"""

from .alignment import AlignmentScores
from .context import ContextVector, context_vector
from .decoder import AttentionDecoder, plot_attention
from .exercises import (
    Verdict,
    check_attention_weights,
    check_context,
    check_decoder_step,
    check_energies,
    check_expand_beam,
    check_new_state,
    check_output,
)
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
    "AttentionDecoder",
    "plot_attention",
    # chapter 10: teacher forcing, other score functions, greedy decoding and beam search
    "TeacherForcedDecoder",
    "MultiplicativeScores",
    "SCORES",
    "greedy_decode",
    "beam_search",
    # the exercises' checkers (chapters 01-06 and 10): the reader writes a piece, they check it
    "check_energies",
    "check_attention_weights",
    "check_context",
    "check_new_state",
    "check_output",
    "check_decoder_step",
    "check_expand_beam",
    "Verdict",
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
