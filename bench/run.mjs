#!/usr/bin/env node
// `pnpm bench`: runs every case in its own process, ours then PyTorch's on the same computation
// (same shapes, fp32, same thread count), then for the GPT-2 forwards ONNX Runtime's (web and node)
// on PyTorch's model exported to ONNX; prints a table and writes bench/results/.
//   node bench/run.mjs [--cases a,b] [--backend wasm] [--threads 1|n|max] [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    cases: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    'relaxed-simd': { type: 'boolean', default: false },
  },
});

/**
 * Each case: our script (bench/cases/<script ?? name>.mjs, with `argv`), the PyTorch baseline
 * (bench/torch/<torch ?? name>.py), which metric to compare, and with `ort`, the ONNX Runtime
 * peers (bench/cases/ort-forward.mjs, with the same `argv`).
 */
const CASES = [
  {
    name: 'gemm',
    metric: 'ms',
    what: "the GEMM alone, [1024, 768] @ [768, 3072] (GPT-2's c_fc on 8 x 128 tokens)",
  },
  { name: 'gpt2-forward', metric: 'ms', ort: true, what: 'GPT-2 small forward, 8 x 128 tokens' },
  {
    name: 'gpt2-forward-1x32',
    script: 'gpt2-forward',
    argv: ['--batch', '1', '--length', '32'],
    torch: 'gpt2_forward_short',
    metric: 'ms',
    ort: true,
    what: 'GPT-2 small forward, 1 x 32 tokens (a prompt being read)',
  },
  {
    name: 'lora-step',
    metric: 'ms',
    what: 'LoRA step (r=16, attn+MLP, AdamW), GPT-2 small, 8 x 128',
  },
  {
    name: 'lora-step-gpt2-medium',
    script: 'lora-step',
    argv: ['--preset', 'gpt2-medium'],
    torch: 'lora_step_medium',
    metric: 'ms',
    what: 'the LoRA step on GPT-2 medium (355M), 8 x 128; wasm heap high-water below',
  },
  {
    name: 'lora-step-gpt2-medium-checkpointing',
    script: 'lora-step',
    argv: ['--preset', 'gpt2-medium', '--checkpointing'],
    torch: 'lora_step_medium',
    metric: 'ms',
    what: 'the same with gradient checkpointing (PyTorch: without)',
  },
  {
    name: 'generate',
    metric: 'tokens_per_s',
    what: 'KV-cache greedy generation, 32-token prompt + 128 new',
  },
  { name: 'kan-linear', metric: 'ms', what: 'KANLinear 768->3072 forward+backward, 1024 rows' },
  {
    name: 'kan-mlp',
    metric: 'ms',
    what: 'KAN 768->3072->768 (GPT-2 MLP) forward+backward, 8 x 128, fused B-spline kernel',
  },
  {
    name: 'kan-mlp-composite',
    script: 'kan-mlp',
    argv: ['--composite'],
    torch: 'kan_mlp',
    metric: 'ms',
    what: 'the same, B-splines as a composite of tfjs ops',
  },
  { name: 'gat-fusion', metric: 'ms', what: 'GraphAttentionLayer forward+backward, 8 x 128 x 768' },
  {
    name: 'load-url',
    metric: 'peak_rise_vs_weights',
    torch: null,
    what: 'GPT-2 small (F32) loaded by URL from a loopback server: peak RSS rise / weight bytes',
  },
];

const selected = args.cases ? CASES.filter((c) => args.cases.split(',').includes(c.name)) : CASES;
// `--threads max`: the machine's cores, for both sides.
args.threads = args.threads === 'max' ? String(availableParallelism()) : args.threads;
if (!(Number(args.threads) >= 1))
  throw new Error(`--threads: expected a count or max, got ${args.threads}`);
const env = {
  ...process.env,
  LGPT_BENCH_THREADS: args.threads,
  LGPT_BENCH_QUICK: args.quick ? '1' : '0',
  OMP_NUM_THREADS: args.threads,
  OPENBLAS_NUM_THREADS: args.threads,
  MKL_NUM_THREADS: args.threads,
  OMP_WAIT_POLICY: 'PASSIVE',
};

function lastJsonLine(text) {
  const line = text
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
}

function run(command, argv) {
  const result = spawnSync(command, argv, { cwd: here, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.error) return { error: result.error.message };
  const reported = lastJsonLine(result.stdout);
  if (result.status !== 0) {
    // A script that failed for a known reason says why in its result line.
    if (reported?.error) return reported;
    return {
      error: `exit ${result.status}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
  return reported ?? { error: 'no JSON result line' };
}

/** The Python with torch: LGPT_BENCH_PYTHON, else Debian's (python3-torch), else PATH's. */
function findTorchPython() {
  const candidates = [process.env.LGPT_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  for (const python of candidates) {
    // Not from bench/: its torch/ folder would pass for the package.
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', cwd: tmpdir() });
    if (probe.status === 0) return python;
  }
  return null;
}

function format(v) {
  return typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) : '—';
}

/** Our time relative to PyTorch's (for generation: PyTorch's rate / ours). Above 1: we are slower. */
function slowdown(row, key) {
  const ours = row.ours[key];
  const theirs = row.torch[key];
  if (typeof ours !== 'number' || typeof theirs !== 'number') return null;
  return key === 'tokens_per_s' ? theirs / ours : ours / theirs;
}

const python = findTorchPython();

let onnxModel = null;
/**
 * The ONNX Runtime peers' model, exported by PyTorch once per run into a temporary folder
 * (652 MB, removed when this script exits): `{ path }` or `{ error }`.
 */
function exportOnnxModel() {
  if (onnxModel) return onnxModel;
  if (!python) {
    onnxModel = { error: 'no ONNX model: PyTorch (which exports it) not found' };
    return onnxModel;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lgpt-bench-onnx-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.stdout.write('exporting GPT-2 to ONNX (torch.onnx.export) ... ');
  const exported = run(python, [join('torch', 'export_onnx.py'), join(dir, 'gpt2.onnx')]);
  process.stdout.write(exported.error ? `failed (${exported.error})\n` : 'done\n');
  onnxModel = exported.error ? { error: `no ONNX model: export ${exported.error}` } : exported;
  return onnxModel;
}
// Ctrl-C: exit through the handler above, so the exported model is removed.
process.on('SIGINT', () => process.exit(130));

/** Whether `specifier` resolves from bench/ (ONNX Runtime's packages are large: some skip them). */
function installed(specifier) {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** One ONNX Runtime peer (`web` or `node`) on the case's shape. */
function runOrt(c, runtime) {
  // Not installed: say so without exporting the model for nothing (a minute of PyTorch's time).
  if (!installed(`onnxruntime-${runtime}`))
    return { error: `onnxruntime-${runtime} not installed` };
  const model = exportOnnxModel();
  if (model.error) return { error: model.error };
  process.stdout.write(`${c.name}: onnxruntime-${runtime} ... `);
  const result = run(process.execPath, [
    join('cases', 'ort-forward.mjs'),
    '--runtime',
    runtime,
    '--model',
    model.path,
    ...(c.argv ?? []),
    ...(args.quick ? ['--quick'] : []),
  ]);
  process.stdout.write(
    result.error ? `failed (${result.error})\n` : `${format(result[c.metric])} ${c.metric}\n`,
  );
  return result;
}

const loadBefore = loadavg()[0];
const rows = [];
for (const c of selected) {
  process.stdout.write(`${c.name}: ours (${args.backend}) ... `);
  const ours = run(process.execPath, [
    '--expose-gc',
    ...(args['relaxed-simd'] ? ['--experimental-wasm-relaxed-simd'] : []),
    join('cases', `${c.script ?? c.name}.mjs`),
    '--backend',
    args.backend,
    ...(c.argv ?? []),
    ...(args.quick ? ['--quick'] : []),
  ]);
  process.stdout.write(
    ours.error ? `failed (${ours.error})\n` : `${format(ours[c.metric])} ${c.metric}\n`,
  );
  let torch = { error: 'PyTorch not found (apt install python3-torch, or set LGPT_BENCH_PYTHON)' };
  if (c.torch === null) {
    torch = { error: 'no PyTorch counterpart' };
  } else if (python) {
    process.stdout.write(`${c.name}: PyTorch ... `);
    torch = run(python, [join('torch', `${c.torch ?? c.name.replaceAll('-', '_')}.py`)]);
    process.stdout.write(
      torch.error ? `failed (${torch.error})\n` : `${format(torch[c.metric])} ${c.metric}\n`,
    );
  }
  const peers = c.ort ? { ort_web: runOrt(c, 'web'), ort_node: runOrt(c, 'node') } : {};
  rows.push({ ...c, ours, torch, ...peers });
}

const machine = [
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`,
  `Node ${process.version}`,
  `torch ${rows.find((r) => r.torch.torch)?.torch.torch ?? '—'}`,
  `onnxruntime ${rows.map((r) => r.ort_web?.version ?? r.ort_node?.version).find(Boolean) ?? '—'}`,
  `threads ${args.threads}`,
  ...(args.backend === 'webgpu' ? [`GPU ${rows.find((r) => r.ours.gpu)?.ours.gpu ?? '—'}`] : []),
  `wasm relaxed SIMD ${rows.some((r) => r.ours.relaxed_simd) ? 'on' : 'off'}`,
  `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`,
].join(', ');

/** GFLOP/s of a side's time on the case's floating-point operations (counted by our side). */
function gflopsOf(result, flops) {
  return typeof flops === 'number' && typeof result.ms === 'number'
    ? flops / result.ms / 1e6
    : null;
}

const cell = (result, metric, flops) => {
  if (result.error) return result.error;
  const unit = { ms: 'ms', tokens_per_s: 'tok/s' }[metric] ?? 'x';
  const cpu = typeof result.cpu_ms === 'number' ? ` (CPU ${format(result.cpu_ms)} ms)` : '';
  const gflops = gflopsOf(result, flops);
  const rateOfWork = gflops === null ? '' : `, ${format(gflops)} GFLOP/s`;
  const rate =
    metric === 'ms' && typeof result.tokens_per_s === 'number'
      ? `, ${format(result.tokens_per_s)} tok/s`
      : '';
  return `${format(result[metric])} ${unit}${cpu}${rate}${rateOfWork}`;
};
const ratio = (value) => (value === null ? '—' : `${value.toFixed(2)}x`);
/** Our time over ONNX Runtime web's (a forward row's peer). Above 1: we are slower. */
const overOrtWeb = (row) =>
  typeof row.ours.ms === 'number' && typeof row.ort_web?.ms === 'number'
    ? row.ours.ms / row.ort_web.ms
    : null;
const peerCell = (row, peer) => (row[peer] ? cell(row[peer], row.metric, row.ours.flops) : '—');
const table = [
  `| case | what | lgpt (${args.backend}) | PyTorch | lgpt time / PyTorch | same, CPU time | ONNX Runtime web (wasm) | ONNX Runtime node (CPU) | lgpt time / ORT web |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.what} | ${cell(r.ours, r.metric, r.ours.flops)} | ${cell(r.torch, r.metric, r.ours.flops)} | ${ratio(
        slowdown(r, r.metric),
      )} | ${ratio(slowdown(r, 'cpu_ms'))} | ${peerCell(r, 'ort_web')} | ${peerCell(r, 'ort_node')} | ${ratio(overOrtWeb(r))} |`,
  ),
];
const mib = (bytes) => (typeof bytes === 'number' ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : '—');
const kanNotes = rows
  .filter((r) => r.name.startsWith('kan-mlp') && typeof r.ours.peak_step_bytes === 'number')
  .map(
    (r) =>
      `- ${r.name} memory: peak tf.memory().numBytes ${mib(r.ours.peak_tf_bytes)} (${mib(r.ours.weight_bytes)} of weights, ${mib(r.ours.peak_step_bytes)} more during the step).`,
  );
const notes = rows
  .filter((r) => r.ours.peak_rss)
  .map((r) => {
    const g = r.ours.growth;
    return [
      `- ${r.name} memory: peak RSS ${mib(r.ours.peak_rss)} (PyTorch ${mib(r.torch.peak_rss)});`,
      `peak tf.memory().numBytes ${mib(r.ours.peak_tf_bytes)} =`,
      `${r.ours.peak_vs_weights_plus_activations?.toFixed(2)}x the ${mib(r.ours.weight_bytes)} of weights`,
      `plus ${mib(r.ours.activation_bytes)} held for the backward pass;`,
      g
        ? `over ${g.steps} more steps at [${g.shape}]: ${g.tensors} tensors, ${mib(g.tf_bytes)} tf bytes, ${mib(g.wasm_heap_bytes)} wasm heap, ${mib(g.rss_bytes)} RSS of growth.`
        : '',
    ].join(' ');
  });
const gemmRow = rows.find((r) => r.name === 'gemm' && typeof r.ours.gemm_vs_peak === 'number');
const peakNotes = gemmRow
  ? [
      `- GEMM against wasm SIMD's peak on ${gemmRow.ours.threads} thread(s): ${format(gflopsOf(gemmRow.ours, gemmRow.ours.flops))} GFLOP/s = ${(100 * gemmRow.ours.gemm_vs_peak).toFixed(0)} % of simd-peak's ${format(gemmRow.ours.relaxed_peak_gflops ?? gemmRow.ours.simd_peak_gflops)} GFLOP/s (${gemmRow.ours.relaxed_peak_gflops === null ? 'SIMD' : 'relaxed SIMD, fused'}).`,
    ]
  : [];
const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const heapNotes = rows
  .filter((r) => typeof r.ours.wasm_heap_peak_bytes === 'number' && r.ours.wasm_heap_peak_bytes > 0)
  .map(
    (r) =>
      `- ${r.name}: wasm heap high-water mark ${gib(r.ours.wasm_heap_peak_bytes)} (of 4 GiB)${r.ours.checkpointing ? ', gradient checkpointing' : ''}.`,
  );
const markdown = [
  `Machine: ${machine}`,
  '',
  ...table,
  '',
  ...peakNotes,
  ...heapNotes,
  ...notes,
  ...kanNotes,
].join('\n');
console.log(`\n${markdown}`);

const resultsDir = join(here, 'results');
if (!existsSync(resultsDir)) mkdirSync(resultsDir);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(
  join(resultsDir, `bench-${stamp}.json`),
  `${JSON.stringify(
    {
      machine,
      backend: args.backend,
      threads: Number(args.threads),
      node: process.version,
      relaxed_simd: rows.some((r) => r.ours.relaxed_simd),
      quick: args.quick,
      rows,
    },
    null,
    2,
  )}\n`,
);
writeFileSync(join(resultsDir, `bench-${stamp}.md`), `${markdown}\n`);
console.log(`\nwrote bench/results/bench-${stamp}.{json,md}`);
