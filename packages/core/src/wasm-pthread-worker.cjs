// A pthread worker for @tensorflow/tfjs-backend-wasm's threaded build in Node, started by
// initBackend('wasm', { threads }) (see src/wasm-threads.ts). tfjs hands emscripten its worker
// script as a blob: URL and the main script as a Blob, neither of which Node can load: this file
// runs the package's own worker script (shipped in wasm-out/ as a string) and answers its request
// for the main script with the package's wasm-out/ copy of it.
const path = require('node:path');

const wasmOut = path.join(
  path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'wasm-out',
);
const mainScript = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
URL.createObjectURL = () => mainScript;
URL.revokeObjectURL = () => {};
const { wasmWorkerContents } = require(
  path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'),
);
// tfjs escapes newlines the same way before it turns the script into a Blob.
const source = wasmWorkerContents.replace(/\n/g, '\\n');
new Function('exports', 'require', 'module', '__filename', '__dirname', source)(
  exports,
  require,
  module,
  __filename,
  __dirname,
);
