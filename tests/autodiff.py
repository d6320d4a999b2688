"""Gradients on whichever Keras backend the tests run under (TensorFlow, JAX or PyTorch).

Keras 3 has no backend-neutral gradient function, so this helper calls each backend's own:
`tf.GradientTape`, `jax.grad` (with the variables' values passed through a `keras.StatelessScope`)
or `torch.autograd.grad`. Results come back as NumPy arrays.
"""

import keras
import numpy as np
from keras import ops

BACKEND = keras.backend.backend()


def input_gradients(f, *inputs):
    "f(*inputs) -> a scalar tensor; returns (its value, [d f / d input for each input])."
    if BACKEND == "tensorflow":
        import tensorflow as tf

        tensors = [tf.constant(x) for x in inputs]
        with tf.GradientTape() as tape:
            for tensor in tensors:
                tape.watch(tensor)
            value = f(*tensors)
        gradients = tape.gradient(value, tensors)
    elif BACKEND == "jax":
        import jax

        tensors = [ops.convert_to_tensor(x) for x in inputs]
        value, gradients = jax.value_and_grad(f, argnums=tuple(range(len(tensors))))(
            *tensors
        )
    elif BACKEND == "torch":
        import torch

        tensors = [
            ops.convert_to_tensor(x).detach().requires_grad_(True) for x in inputs
        ]
        value = f(*tensors)
        gradients = torch.autograd.grad(value, tensors)
    else:
        raise NotImplementedError(f"no gradient helper for the {BACKEND} backend")
    return float(ops.convert_to_numpy(value)), [
        ops.convert_to_numpy(g) for g in gradients
    ]


def variable_gradients(loss, variables):
    "loss() -> a scalar tensor; returns (its value, [d loss / d variable for each variable])."
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = loss()
        gradients = tape.gradient(value, variables)
    elif BACKEND == "jax":
        import jax

        def loss_of(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return loss()

        value, gradients = jax.value_and_grad(loss_of)([v.value for v in variables])
    elif BACKEND == "torch":
        import torch

        value = loss()
        gradients = torch.autograd.grad(value, [v.value for v in variables])
    else:
        raise NotImplementedError(f"no gradient helper for the {BACKEND} backend")
    return float(ops.convert_to_numpy(value)), [
        np.asarray(ops.convert_to_numpy(g)) for g in gradients
    ]
