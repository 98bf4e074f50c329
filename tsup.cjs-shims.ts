// Injected into CommonJS builds only (see tsup.base.ts), and only where a module reads
// `import.meta.url`: the CommonJS meaning of that URL.
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
