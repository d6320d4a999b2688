"""Root pytest configuration, shared by the unit tests and by nbval's runs of the chapters."""

import os
from pathlib import Path

# nbval's kernels use the IPython profile that keeps TensorFlow's C++ start-up logging out of cell outputs
# (see tests/ipython/profile_default/ipython_kernel_config.py); `tools/chapters.py outputs` uses it too.
os.environ.setdefault("IPYTHONDIR", str(Path(__file__).parent / "tests" / "ipython"))
