# IPython profile for the kernels that `make test` (nbval) and `make outputs` start: conftest.py (for nbval)
# and tools/chapters.py (for `make outputs`) point IPYTHONDIR here, as benchmarks/page_times.py does.
# TensorFlow's C++ layer writes start-up messages (CUDA probing, CPU features, oneDNN)
# straight to file descriptor 2 before its own log level applies. With fd capture off they reach the
# terminal instead of the notebook, so stored outputs stay clean and identical on every machine.
# Python-level warnings and prints are still captured as usual.
c = get_config()  # noqa: F821 (provided by IPython when it loads this file)
c.IPKernelApp.capture_fd_output = False
