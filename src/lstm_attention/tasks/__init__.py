"""lstm_attention.tasks: the helpers of the book's experiments (data, scoring, models), one module a task.

Hand-kept, like the package's own `__init__.py`: the modules are generated from the chapters by
`make sync`; this file re-exports their public names.
"""
from .echo import (
    EchoData,
    attention_encoder_decoder,
    echo_sequences,
    encoder_decoder,
    exact_match_accuracy,
    run_the_post_experiment,
)
from .lengths import (
    PADDING,
    accuracy_by_length,
    real_positions,
    reversal_attention_models,
    reversal_data,
    reversal_encoder_decoder,
    train_reversal,
)

__all__ = [
    # chapter 07, the echo problem
    "EchoData",
    "echo_sequences",
    "exact_match_accuracy",
    "encoder_decoder",
    "attention_encoder_decoder",
    "run_the_post_experiment",
    # chapter 09, accuracy against input length
    "PADDING",
    "reversal_data",
    "real_positions",
    "accuracy_by_length",
    "reversal_encoder_decoder",
    "reversal_attention_models",
    "train_reversal",
]
