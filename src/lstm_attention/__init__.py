"""lstm_attention: Bahdanau attention built one equation at a time, as Keras 3 layers.

Hand-kept, like `tasks/__init__.py`: every other module is generated from the book's chapters by
`make sync` (nbdev's nb_export). This file re-exports the public names of the mechanism; the helpers of
the book's tasks live in `lstm_attention.tasks`.
"""
from .alignment import AlignmentScores
from .context import ContextVector, context_vector
from .dates import (
    DATE_FORMATS,
    FIRST_DATE,
    ISO_CHARACTERS,
    ISO_LENGTH,
    LAST_DATE,
    MAX_INPUT_LENGTH,
    OUT_OF_VOCABULARY,
    OUT_OF_VOCABULARY_ID,
    PADDING_ID,
    DateExamples,
    DateFormat,
    DateSplits,
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
from .gates import ContextGRUGates
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
    "FIRST_DATE",
    "LAST_DATE",
    "DATE_FORMATS",
    "DateSplits",
    "DateExamples",
    "ISO_LENGTH",
    "PADDING_ID",
    "OUT_OF_VOCABULARY_ID",
    "OUT_OF_VOCABULARY",
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
]
__version__ = "0.1.0"
