#!/usr/bin/env bash
# The GPU check, in one go and within 4 minutes on an H100/H200 machine:
#   bash benchmarks/gpu_check.sh
# 1. finds (or installs) Python with CUDA torch and StyleLab's requirements,
# 2. runs the CUDA tests (tests/engine/test_cuda.py; they skip on machines without a GPU),
# 3. prints the throughput table (fp16/bf16, channels-last vs NCHW, batch 1/8/32, torch.compile),
#    MP/s against the 500 MP/s target, the roofline fraction, and 1-MP JPEG photos/s against 150,
# 4. times product shots rendered by Cycles on the GPU (benchmarks/product_shots.py --device cuda).
# Copy its output into the README's "GPU" section.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { echo; echo "== $* (at $((SECONDS - started)) s)"; }

step "device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi not found"

step "python"
PYTHON=${PYTHON:-}
for candidate in "$PYTHON" .venv/bin/python python3; do
  if [ -n "$candidate" ] && "$candidate" -c "import torch, safetensors, PIL, skimage, pytest" 2>/dev/null; then
    PYTHON=$candidate; break
  fi
  PYTHON=
done
if [ -z "$PYTHON" ]; then
  echo "no Python with torch + requirements here: installing requirements.txt and pytest into .venv-gpu"
  python3 -m venv .venv-gpu && timeout 150 .venv-gpu/bin/pip install -q -r requirements.txt pytest \
    || { echo "could not install the requirements (no package index reachable?)"; exit 1; }
  PYTHON=.venv-gpu/bin/python
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" STYLELAB_DEVICE=cuda
"$PYTHON" -c "import torch; print('torch', torch.__version__, '| CUDA', torch.version.cuda, '|', \
torch.cuda.get_device_name() if torch.cuda.is_available() else 'NO CUDA DEVICE VISIBLE')"
"$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || exit 1

step "CUDA tests"
timeout 60 "$PYTHON" -m pytest -q -rs -p no:cacheprovider tests/engine/test_cuda.py
tests=$?

step "throughput"
timeout $((225 - (SECONDS - started))) "$PYTHON" benchmarks/gpu_check.py --budget 100 --photos 256
bench=$?

step "product shots on the GPU (Cycles with OptiX/CUDA): final shots per second against 2"
timeout 120 "$PYTHON" benchmarks/product_shots.py --device cuda --repeats 3 --kinds podium "window light" counter
shots=$?

step "done in $((SECONDS - started)) s (tests exit $tests, benchmark exit $bench, shots exit $shots)"
exit $(( tests != 0 || bench != 0 || shots != 0 ))
