import { describe, expect, it } from 'vitest';
import { container } from 'tsyringe';
import { z } from 'zod';
import { ConfigError, Registries, Registry, pluginFromModule } from '@iern/core';

const entry = (type: string, pkg = 'test-pkg') => ({
  type,
  package: pkg,
  description: `the ${type} thing`,
  options: z.strictObject({ width: z.number().int().default(4) }),
  build: (o: { width: number }) => ({ type, width: o.width }),
});

describe('Registry', () => {
  it('builds the registered type with validated options and defaults', async () => {
    const reg = new Registry<{ type: string; width: number }>('backbone');
    reg.register(entry('tiny'));
    expect(await reg.build({ type: 'tiny', width: 7 }, container)).toEqual({ type: 'tiny', width: 7 });
    expect(await reg.build({ type: 'tiny' }, container)).toEqual({ type: 'tiny', width: 4 });
  });

  it('names the unknown type and lists the known ones', async () => {
    const reg = new Registry<unknown>('strategy');
    reg.register(entry('baseline'));
    reg.register(entry('backdoor'));
    await expect(reg.build({ type: 'backdor' }, container, 'model.strategy')).rejects.toThrow(
      "config error at model.strategy.type: unknown strategy type 'backdor'; known: backdoor, baseline",
    );
  });

  it('reports the key path of a bad option and of an unknown option', () => {
    const reg = new Registry<unknown>('backbone');
    reg.register(entry('tiny'));
    expect(() => reg.validate({ type: 'tiny', width: 'wide' }, 'model.backbone')).toThrow(/model\.backbone\.width/);
    let err: unknown;
    try {
      reg.validate({ type: 'tiny', depth: 3 }, 'model.backbone');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('model.backbone.depth');
    expect((err as ConfigError).exitCode).toBe(2);
  });

  it('refuses the same type from two packages', () => {
    const reg = new Registry<unknown>('dataset');
    reg.register(entry('faces', 'a'));
    expect(() => reg.register(entry('faces', 'b'))).toThrow(/already registered by a/);
  });

  it('Registries has room for more kinds', () => {
    const r = new Registries();
    r.kind<string>('augmentations').register({ ...entry('flip'), build: () => 'flip' });
    expect(r.all().map((x) => x.kind)).toEqual(['backbone', 'dataset', 'strategy', 'augmentations']);
  });

  it('finds the plugin object in a module', () => {
    const register = () => undefined;
    expect(pluginFromModule({ default: { name: 'x', register } }, 'spec').name).toBe('x');
    expect(pluginFromModule({ plugin: { name: 'y', register } }, 'spec').name).toBe('y');
    expect(() => pluginFromModule({ nothing: 1 }, './my-plugin.js')).toThrow(/'\.\/my-plugin\.js' exports no plugin/);
  });
});
