"""Train one small attention model on one device, then data-parallel on several.

Run by tests/test_distributed.py in a fresh process, because the virtual CPU devices must
exist before the backend starts:

    python tests/distributed_training.py tensorflow 2 scan

trains with `tf.distribute.MirroredStrategy` on 2 logical CPU devices;

    python tests/distributed_training.py jax 2 scan

with `keras.distribution.DataParallel` on 2 host devices of JAX. Both runs of a process
start from the same weights, see the same batches in the same order (shuffle=False, the
same global batch size) and take the same SGD steps. The script prints one JSON line:
the number of replicas, the initial weights and, for each run, the loss after every step and the final
weights; the test compares them.
"""

import json
import os
import sys

BACKEND, DEVICES, LOOP = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ["KERAS_BACKEND"] = BACKEND
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if BACKEND == "jax":
    # JAX reads this when it starts: split the host CPU into DEVICES devices.
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + f" --xla_force_host_platform_device_count={DEVICES}"
    )
elif BACKEND == "tensorflow":
    import tensorflow as tf

    # Before TensorFlow starts: split the one physical CPU into DEVICES logical ones.
    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * DEVICES
    )
else:
    raise SystemExit(f"unknown backend {BACKEND!r}: tensorflow or jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstm_attention import AttentionDecoder  # noqa: E402

V, K, T_X, T_Y = 12, 7, 6, 4  # source vocabulary, output symbols, lengths
SAMPLES, GLOBAL_BATCH, EPOCHS = 16, 8, 3  # 2 steps an epoch, 6 steps in all


def data():
    "Source ids padded with 0 at the end (so the mask matters) and target ids."
    rng = np.random.default_rng(0)
    x = rng.integers(1, V, size=(SAMPLES, T_X))
    lengths = rng.integers(2, T_X + 1, size=SAMPLES)
    x[np.arange(T_X)[None, :] >= lengths[:, None]] = 0
    y = rng.integers(0, K, size=(SAMPLES, T_Y))
    return x.astype("int32"), y.astype("int32")


def make_model():
    "Embedding(mask_zero) -> bidirectional GRU encoder -> AttentionDecoder."
    ids = keras.Input((T_X,), dtype="int32")
    e = keras.layers.Embedding(V, 8, mask_zero=True)(ids)
    h = keras.layers.Bidirectional(keras.layers.GRU(5, return_sequences=True))(e)
    unroll = {"scan": False, "unroll": True}[LOOP]
    y = AttentionDecoder(units=6, output_dim=K, output_length=T_Y, unroll=unroll)(h)
    model = keras.Model(ids, y)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5),
        loss="sparse_categorical_crossentropy",
    )
    return model


class StepLosses(keras.callbacks.Callback):
    "The loss Keras reports after each step (the running mean within the epoch)."

    def on_train_begin(self, logs=None):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def train(initial_weights):
    "Build the model (in the current strategy or distribution), set weights, fit."
    model = make_model()
    model.set_weights(initial_weights)
    x, y = data()
    losses = StepLosses()
    model.fit(
        x,
        y,
        batch_size=GLOBAL_BATCH,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[losses],
    )
    weights = [np.asarray(w, "float64").tolist() for w in model.get_weights()]
    return model, {"losses": losses.losses, "weights": weights}


keras.utils.set_random_seed(1)
initial = make_model().get_weights()

# One device: no strategy, no distribution, Keras's default placement.
_, one = train(initial)

if BACKEND == "tensorflow":
    devices = [f"/cpu:{i}" for i in range(DEVICES)]
    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        _, many = train(initial)
    replicas = strategy.num_replicas_in_sync
else:
    import jax

    distribution = keras.distribution.DataParallel(devices=jax.devices("cpu"))
    keras.distribution.set_distribution(distribution)
    model, many = train(initial)
    # The weights are replicated on every device of the mesh.
    replicas = len(model.weights[0].value.sharding.device_set)

initial = [np.asarray(w, "float64").tolist() for w in initial]
print(json.dumps({"replicas": replicas, "initial": initial, "one": one, "many": many}))
