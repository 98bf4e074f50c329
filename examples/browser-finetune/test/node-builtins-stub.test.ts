import { describe, expect, it } from 'vitest';
import { stubId, stubModule } from '../node-builtins-stub.js';

describe('nodeBuiltinsStub', () => {
  it('answers Node built-ins, with or without node:, and nothing else', () => {
    expect(stubId('fs/promises')).toBe(stubId('node:fs/promises'));
    expect(stubId('path')).not.toBeNull();
    expect(stubId('@lgpt/core')).toBeNull();
    expect(stubId('./fs')).toBeNull();
  });

  it("exports the built-in's names, each throwing when called", async () => {
    const code = await stubModule('fs/promises');
    const stub = await import(`data:text/javascript,${encodeURIComponent(code)}`);
    const real = await import('node:fs/promises');
    expect(Object.keys(stub).sort()).toEqual(Object.keys(real).sort());
    expect(() => stub.readFile('x')).toThrow('node:fs/promises readFile() is not available');
  });
});
