import { type ActiveBackend, type BackendName, startBackend } from './backend.js';
import { SONNETS } from './corpus.js';
import { DEFAULT_CHECKPOINT_PATH } from './default-checkpoint.js';
import { Finetuner } from './finetune.js';
import { LossChart } from './loss-chart.js';
import { SETTINGS } from './settings.js';

/** What the page is doing; `body[data-state]` also tells the end-to-end test when to look. */
type PageState = 'loading' | 'ready' | 'training' | 'generating' | 'error';

function byId<T extends Element>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`index.html has no #${id}`);
  return el as unknown as T;
}

const ui = {
  backend: byId<HTMLElement>('backend'),
  backendNote: byId<HTMLElement>('backend-note'),
  modelInfo: byId<HTMLElement>('model-info'),
  modelSource: byId<HTMLInputElement>('model-source'),
  modelBackend: byId<HTMLInputElement>('model-backend'),
  steps: byId<HTMLInputElement>('steps'),
  train: byId<HTMLButtonElement>('train'),
  stop: byId<HTMLButtonElement>('stop'),
  status: byId<HTMLElement>('status'),
  prompt: byId<HTMLInputElement>('prompt'),
  newTokens: byId<HTMLInputElement>('new-tokens'),
  generate: byId<HTMLButtonElement>('generate'),
  outputPrompt: byId<HTMLElement>('output-prompt'),
  continuation: byId<HTMLElement>('continuation'),
  generateStatus: byId<HTMLElement>('generate-status'),
};
const chart = new LossChart(byId<SVGSVGElement>('loss-chart'));
let stopRequested = false;

function setState(state: PageState, status?: string): void {
  document.body.dataset.state = state;
  if (status !== undefined) ui.status.textContent = status;
  const idle = state === 'ready';
  ui.train.disabled = !idle;
  ui.generate.disabled = !idle;
  ui.stop.disabled = state !== 'training';
}

function errorText(error: unknown): string {
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A page that cannot start stays in the error state. */
function fail(error: unknown): void {
  console.error(error);
  setState('error', errorText(error));
}

/** A failed action (a bad prompt, say) is reported where it happened; the page stays usable. */
function run(action: () => Promise<void>, statusLine: HTMLElement): void {
  action().catch((error) => {
    console.error(error);
    statusLine.textContent = errorText(error);
    setState('ready');
  });
}

/** `?backend=webgpu|wasm` forces a backend; without it WebGPU is tried first. */
function requestedBackend(): BackendName | 'auto' {
  const value = new URLSearchParams(location.search).get('backend');
  if (value === null || value === 'auto') return 'auto';
  if (value === 'webgpu' || value === 'wasm') return value;
  throw new Error(`unknown ?backend=${value}: use webgpu, wasm or auto`);
}

function showBackend(active: ActiveBackend): void {
  ui.backend.textContent = active.threads
    ? `${active.name}, ${active.threads} thread(s)`
    : active.name;
  ui.backend.dataset.backend = active.name;
  if (active.threads) ui.backend.dataset.threads = String(active.threads);
  ui.backendNote.textContent = active.adapter
    ? `(adapter: ${active.adapter})`
    : active.fallbackReason
      ? `(WebGPU unavailable: ${active.fallbackReason})`
      : '(requested with ?backend=wasm)';
}

/**
 * `?model=<Hub id or URL>` loads that checkpoint; without it, the random tiny checkpoint generated
 * at build time and served with the page (`public/models/…`), through the same loader.
 */
function modelSource(): string {
  const requested = new URLSearchParams(location.search).get('model');
  if (requested) return requested;
  return new URL(`${import.meta.env.BASE_URL}${DEFAULT_CHECKPOINT_PATH}`, location.href).href;
}

function showModel(finetuner: Finetuner, source: string): void {
  const [trainable, total] = finetuner.peft.getNbTrainableParameters();
  const { nLayer, nEmbd, vocabSize } = finetuner.model.config;
  const count = (n: number) => n.toLocaleString('en');
  ui.modelInfo.textContent =
    `${source}: GPT-2, ${nLayer} layers × ${nEmbd} wide, ${count(vocabSize)} tokens; ` +
    `LoRA r=${SETTINGS.lora.r} on ` +
    `${SETTINGS.lora.targetModules.join(', ')}: ${count(trainable)} of ${count(total)} ` +
    `parameters train (${((100 * trainable) / total).toFixed(1)}%). Data: ${SONNETS.length} ` +
    `sonnets, ${count(finetuner.tokens.length)} tokens, batches of ${SETTINGS.batchSize} × ` +
    `${SETTINGS.seqLen}.`;
}

async function train(finetuner: Finetuner): Promise<void> {
  const steps = ui.steps.valueAsNumber;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`Steps must be a whole number ≥ 1, got '${ui.steps.value}'`);
  }
  stopRequested = false;
  setState('training', 'Training…');
  const started = performance.now();
  let done = 0;
  while (done < steps && !stopRequested) {
    const loss = await finetuner.trainStep();
    done += 1;
    chart.push(loss);
    const perStep = (performance.now() - started) / done / 1000;
    ui.status.textContent =
      `step ${done}/${steps} (${chart.values.length} in all) · loss ${loss.toFixed(3)} · ` +
      `${perStep.toFixed(2)} s/step`;
    // Yield a task, not just a microtask: wasm resolves `data()` at once, and the page must
    // repaint and see a click on Stop between steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  setState('ready');
}

async function generate(finetuner: Finetuner): Promise<void> {
  setState('generating');
  ui.generateStatus.textContent = 'Generating…';
  const prompt = ui.prompt.value;
  ui.outputPrompt.textContent = prompt;
  ui.continuation.textContent = '';
  const started = performance.now();
  const onText = (text: string) => {
    ui.continuation.textContent = text;
  };
  const { tokens } = await finetuner.generate(prompt, onText, ui.newTokens.valueAsNumber);
  const seconds = (performance.now() - started) / 1000;
  ui.generateStatus.textContent = `${tokens} tokens in ${seconds.toFixed(1)} s (KV cache).`;
  setState('ready');
}

async function start(): Promise<void> {
  const backend = requestedBackend();
  const source = modelSource();
  ui.modelSource.value = source;
  // The Load form keeps a forced backend; an unforced one is not sent.
  ui.modelBackend.value = backend;
  ui.modelBackend.disabled = backend === 'auto';
  showBackend(await startBackend(backend));
  ui.status.textContent = `Loading ${source}…`;
  const finetuner = await Finetuner.create(source, ({ file, loaded, total }) => {
    const part = total
      ? `${((100 * loaded) / total).toFixed(0)}%`
      : `${(loaded / 1e6).toFixed(1)} MB`;
    ui.status.textContent = `Downloading ${file}: ${part}`;
  });
  showModel(finetuner, source);
  ui.train.addEventListener('click', () => run(() => train(finetuner), ui.status));
  ui.stop.addEventListener('click', () => {
    stopRequested = true;
  });
  ui.generate.addEventListener('click', () => run(() => generate(finetuner), ui.generateStatus));
  setState('ready', 'Ready: press Train.');
}

start().catch(fail);
