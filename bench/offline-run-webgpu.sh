#!/bin/bash
# On a lent GPU machine (bare, no registry), from the repository root with .devbundle/ (made by
# bench/offline-pack.sh) and .gl/ carried (the loaders' Debian packages, fetched beforehand with
# `cd .gl && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2`):
#   bash bench/offline-run-webgpu.sh
# Runs `node bench/run.mjs --backend webgpu --threads max` ($BENCH_ARGS added) on the real GPU,
# writing env.txt, probe.txt, bench.log and the results into $OUT.
cd "$(dirname "$0")/.."
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
tar -xJf .devbundle/tree.tar.xz
export PATH=$PWD/.devbundle/node/bin:$PATH
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f $icd ]; then export VK_DRIVER_FILES=$icd; fi
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -f $egl ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$egl; fi
LGPT_BENCH_PYTHON=$(command -v python3)
export LGPT_BENCH_PYTHON
{
  date; node -v; nvidia-smi -L; lscpu | grep -E 'Model name|^CPU\(s\)'
  "$LGPT_BENCH_PYTHON" -c 'import torch; print("torch", torch.__version__)'
} 2>&1 | tee "$OUT/env.txt"
cd bench
# Which Dawn adapter reaches the GPU: Vulkan (default), else OpenGL through EGL. The result line's
# `gpu` field names the adapter, so a software fallback would show.
for adapter in default opengl; do
  if LGPT_WEBGPU_ADAPTER=$adapter timeout 60 node cases/gat-fusion.mjs --backend webgpu --quick 2>&1 |
    tee -a "$OUT/probe.txt" | grep -q '"gpu"'; then
    export LGPT_WEBGPU_ADAPTER=$adapter
    break
  fi
done
echo "adapter: ${LGPT_WEBGPU_ADAPTER:-none}" | tee -a "$OUT/probe.txt"
[ -n "${LGPT_WEBGPU_ADAPTER:-}" ] || exit 3
touch /tmp/bench-start
set -o pipefail
# shellcheck disable=SC2086 # BENCH_ARGS is a list of arguments
timeout "${BENCH_TIMEOUT:-450}" node run.mjs --backend webgpu --threads max ${BENCH_ARGS:-} 2>&1 | tee "$OUT/bench.log"
find results -newer /tmp/bench-start -name 'bench-*' -exec cp {} "$OUT/" \;
