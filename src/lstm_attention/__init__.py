"""lstm_attention: Bahdanau attention built one equation at a time, as Keras 3 layers.

The one hand-kept file of the package: every other module is generated from the book's chapters by
`make sync` (nbdev's nb_export). This file re-exports the public names.
"""

from .alignment import AlignmentScores
from .context import ContextVector, context_vector
from .dates import (
    DATE_FORMATS,
    ISO_CHARACTERS,
    MAX_INPUT_LENGTH,
    DateFormat,
    DateVocabulary,
    build_date_model,
    date_attention_model,
    date_examples,
    default_date_vocabulary,
    english_ordinal,
    length_bucketed_batches,
    plot_date_attention,
    split_dates,
    translate,
    trim_padding,
)
from .decoder import AttentionDecoder, plot_attention
from .echo import (
    EchoData,
    attention_encoder_decoder,
    echo_sequences,
    encoder_decoder,
    exact_match_accuracy,
)
from .gates import ContextGRUGates
from .lengths import accuracy_by_length, real_positions, reversal_data
from .output import OutputDistribution
from .softmax import AttentionWeights, masked_softmax

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
    "EchoData",
    "echo_sequences",
    "exact_match_accuracy",
    "encoder_decoder",
    "attention_encoder_decoder",
    "DATE_FORMATS",
    "DateFormat",
    "english_ordinal",
    "split_dates",
    "date_examples",
    "DateVocabulary",
    "default_date_vocabulary",
    "trim_padding",
    "ISO_CHARACTERS",
    "MAX_INPUT_LENGTH",
    "build_date_model",
    "length_bucketed_batches",
    "date_attention_model",
    "translate",
    "plot_date_attention",
    "reversal_data",
    "real_positions",
    "accuracy_by_length",
]
__version__ = "0.1.0"
