#!/bin/bash
# Packs what `node bench/run.mjs` needs on a machine that cannot reach a registry (a lent GPU
# machine) into .devbundle/tree.tar.xz (~40 MB): the built packages, the runtime part of
# node_modules (pnpm's links kept; ONNX Runtime, dev tools and Dawn's other platforms left out)
# and a Node binary (NODE_BIN, default .ci/cache's Node 24, else the PATH's). Run after a build;
# bench/offline-run-webgpu.sh unpacks and runs it there.
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin=${NODE_BIN:-.ci/cache/node24/package/bin/node}
[ -x "$node_bin" ] || node_bin=$(command -v node)
mkdir -p .devbundle
list=$(mktemp)
trap 'rm -f "$list"; rm -rf .devbundle/node' EXIT
for d in node_modules/.pnpm/*; do
  case "$(basename "$d")" in
    # Not needed to run the cases (dev tools, ONNX Runtime: 430 MB), or packed in part below.
    onnxruntime* | @biomejs* | turbo* | @turbo* | typescript* | @esbuild* | esbuild* | playwright* | \
      prettier* | @shikijs* | *tfjs-layers* | rollup* | @rollup* | vite* | vitest* | @vitest* | \
      typedoc* | @types* | highlight.js* | sucrase* | @changesets* | tsup* | tsx* | fast-check* | \
      markdown-it* | lunr* | marked* | protobufjs* | @babel* | yaml* | js-yaml* | \
      js-tiktoken* | webgpu* | @tensorflow+tfjs-core* | @tensorflow+tfjs-backend-*) ;;
    *) echo "$d" >>"$list" ;;
  esac
done
# tfjs packages: Node loads only their dist/*.node.js bundles (package.json's main), wasm's binaries.
for d in node_modules/.pnpm/@tensorflow+tfjs-core@* node_modules/.pnpm/@tensorflow+tfjs-backend-*; do
  for e in "$d"/node_modules/@tensorflow/* "$d"/node_modules/[a-z]*; do
    if [ -L "$e" ]; then echo "$e" >>"$list"; fi
  done
  for p in "$d"/node_modules/@tensorflow/*; do
    [ -L "$p" ] && continue
    ls -d "$p"/package.json "$p"/dist/*.node.js "$p"/dist/*.wasm "$p"/wasm-out 2>/dev/null >>"$list" || true
  done
done
# GPT-2's tokenizer ranks only; Dawn for linux-x64 only.
tiktoken=$(ls -d node_modules/.pnpm/js-tiktoken@*/node_modules/js-tiktoken)
ls -d "$tiktoken"/package.json "$tiktoken"/dist/lite* "$tiktoken"/dist/chunk* "$tiktoken"/dist/ranks/gpt2* >>"$list"
dawn=$(ls -d node_modules/.pnpm/webgpu@*/node_modules/webgpu)
ls -d "$dawn"/*.js "$dawn"/*.json "$dawn"/build "$dawn"/dist/linux-x64 >>"$list"
ls -d node_modules/@* node_modules/[a-z]* bench/node_modules packages/*/node_modules packages/*/dist >>"$list"
mkdir -p .devbundle/node/bin
cp "$node_bin" .devbundle/node/bin/node
echo .devbundle/node >>"$list"
tar -cf - -T "$list" | xz -T0 -6 >.devbundle/tree.tar.xz
ls -l .devbundle/tree.tar.xz
