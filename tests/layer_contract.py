"""One test of what every Keras layer of the package promises, in the spirit of Keras's own
`run_layer_test` (keras/src/testing/test_case.py).

`check_layer_contract(layer, inputs, tmp_path)` checks, on one small batch:

- config: `from_config(get_config())` and `keras.layers.deserialize(serialize(layer))` give
  a layer of the same class with the same config;
- shape inference: `compute_output_shape` agrees with the eager output, and, for a batch of
  unknown size, with a symbolic call on `keras.Input`s; the symbolic dtype is the eager one;
- a `.keras` round trip: a functional model around the layer (weights drawn at random, so
  that no bias is zero) predicts what the eager call gives, and after `save` and
  `load_model` its layer has the same class, config, weight names and weight values and
  predicts exactly the same;
- masking, when `padded` is given: the same layer on a padded batch with its mask gives
  the output of the unpadded batch (padding at the end, in front, or both: one case or a
  list of them).

It returns what the test may want to look at further: the clone, the eager output, the
symbolic output and the loaded layer.
"""

from types import SimpleNamespace

import keras
import numpy as np
from keras import ops

RTOL, ATOL = (
    1e-5,
    1e-6,
)  # float32 rounding: eager and compiled calls add in other orders


def _numpy(tensors):
    return keras.tree.map_structure(
        lambda t: np.asarray(ops.convert_to_numpy(t)), tensors
    )


def _shapes(tensors):
    return keras.tree.map_structure(lambda t: tuple(t.shape), tensors)


def _flat(tensors):
    "The tensors of a structure, in order, leaving out `None`s (as in `[mask, None]`)."
    return [t for t in keras.tree.flatten(tensors) if t is not None]


def _symbolic(array, shape=None):
    "A keras.Input for `array`, batch unknown; `shape` (no batch) may leave sizes unknown."
    if array is None:
        return None
    array = np.asarray(array)
    shape = tuple(array.shape[1:]) if shape is None else tuple(shape)
    return keras.Input(shape=shape, batch_size=None, dtype=str(array.dtype))


def _assert_shapes_agree(computed, actual, what):
    "Shapes (or structures of shapes) equal, where None in `computed` matches any size."
    computed, actual = _flat_shapes(computed), _flat_shapes(actual)
    assert len(computed) == len(actual), f"{what}: {computed} against {actual}"
    for c, a in zip(computed, actual):
        assert len(c) == len(a) and all(x is None or x == y for x, y in zip(c, a)), (
            f"{what}: {c} against {a}"
        )


def _flat_shapes(shapes):
    "A shape or a list of shapes as a list of tuples."
    if (
        isinstance(shapes, (list, tuple))
        and shapes
        and isinstance(shapes[0], (list, tuple))
    ):
        return [tuple(s) for s in shapes]
    return [tuple(shapes)]


def randomize_weights(layer, seed=0):
    "Draw every weight from N(0, 0.5^2), so that a zero bias cannot hide a lost weight."
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(0.5 * rng.normal(size=tuple(weight.shape)))


def padded_copies(x, mask, padding=3, seed=1):
    """`[(x, mask) padded at the end, (x, mask) padded in front]`: `padding` positions of
    noise (not zeros, which could hide a leak) after or before axis 1, masked False."""
    noise = np.random.default_rng(seed).normal(size=(len(x), padding, *x.shape[2:]))
    noise, none = noise.astype(x.dtype), np.zeros((len(x), padding), bool)
    return [
        (np.concatenate([x, noise], axis=1), np.concatenate([mask, none], axis=1)),
        (np.concatenate([noise, x], axis=1), np.concatenate([none, mask], axis=1)),
    ]


def check_layer_contract(
    layer,
    inputs,
    tmp_path,
    *,
    call_kwargs=None,
    input_shapes=None,
    padded=None,
):
    """Check a fresh (unbuilt) `layer`'s contract on `inputs`; see the module docstring.

    Args:
        layer: the layer to test, not yet called.
        inputs: a NumPy array, or a list of them, as the layer's first argument.
        tmp_path: a folder for the `.keras` file (pytest's `tmp_path`).
        call_kwargs: tensor keyword arguments of the call, such as `{"mask": mask}`; a
            value may be a list holding `None`s (e.g. `[source_mask, None]`). In the
            functional model each array becomes a `keras.Input` too.
        input_shapes: shapes without the batch for the `keras.Input`s of `inputs`, to
            leave sizes unknown (e.g. `[(4,), (None, 6)]`); by default the arrays'.
        padded: `(padded_inputs, padded_call_kwargs, unpad)`, for a layer that takes a
            mask: `unpad(output)` of the padded batch (as NumPy) must equal the unpadded
            output; or a list of such cases (e.g. padding at the end and in front).
    """
    call_kwargs = call_kwargs or {}
    cls = type(layer)
    config = layer.get_config()

    # Config round trips, before the layer is built.
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config
    revived = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(revived) is cls and revived.get_config() == config

    # Eager call; then weights drawn at random and the call again.
    layer(inputs, **call_kwargs)
    randomize_weights(layer)
    output = _numpy(layer(inputs, **call_kwargs))
    assert all(np.all(np.isfinite(o)) for o in _flat(output))

    # Shape inference: compute_output_shape on the eager shapes ...
    input_shape = _shapes(inputs)
    _assert_shapes_agree(
        layer.compute_output_shape(input_shape), _shapes(output), "eager"
    )
    # ... and on a symbolic batch of unknown size.
    if isinstance(inputs, (list, tuple)):
        shapes = input_shapes or [None] * len(inputs)
        symbolic_inputs = [_symbolic(x, s) for x, s in zip(inputs, shapes)]
    else:
        symbolic_inputs = _symbolic(inputs, input_shapes)
    symbolic_kwargs = keras.tree.map_structure(_symbolic, call_kwargs)
    symbolic = layer(symbolic_inputs, **symbolic_kwargs)
    symbolic_shape = _shapes(symbolic)
    assert all(s[0] is None for s in _flat_shapes(symbolic_shape))
    _assert_shapes_agree(
        layer.compute_output_shape(_shapes(symbolic_inputs)), symbolic_shape, "symbolic"
    )
    _assert_shapes_agree(symbolic_shape, _shapes(output), "symbolic against eager")
    for s, o in zip(_flat(symbolic), _flat(output)):
        assert keras.backend.standardize_dtype(s.dtype) == str(o.dtype)

    # A functional model around the layer, saved and loaded.
    model_inputs = _flat(symbolic_inputs) + _flat(symbolic_kwargs)
    arrays = [np.asarray(x) for x in _flat(inputs) + _flat(call_kwargs)]
    model = keras.Model(model_inputs, symbolic)
    before = _numpy(model.predict(arrays, verbose=0))
    for b, o in zip(_flat(before), _flat(output)):
        np.testing.assert_allclose(b, o, rtol=RTOL, atol=ATOL)
    path = tmp_path / f"{layer.name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path).get_layer(layer.name)
    assert type(loaded) is cls and loaded.get_config() == layer.get_config()
    assert [w.path for w in loaded.weights] == [w.path for w in layer.weights]
    for w_loaded, w in zip(loaded.weights, layer.weights):
        np.testing.assert_array_equal(_numpy(w_loaded), _numpy(w))
    after = _numpy(keras.models.load_model(path).predict(arrays, verbose=0))
    for a, b in zip(_flat(after), _flat(before)):
        np.testing.assert_array_equal(a, b)

    # Masking: a padded batch with its mask decodes as the unpadded one.
    if padded is not None:
        assert layer.supports_masking
        cases = [padded] if isinstance(padded, tuple) else list(padded)
        for padded_inputs, padded_kwargs, unpad in cases:
            padded_output = unpad(_numpy(layer(padded_inputs, **padded_kwargs)))
            assert len(_flat(padded_output)) == len(_flat(output))
            for p, o in zip(_flat(padded_output), _flat(output)):
                np.testing.assert_allclose(p, o, rtol=RTOL, atol=ATOL)

    return SimpleNamespace(
        clone=clone, output=output, symbolic=symbolic, loaded=loaded, model=model
    )
