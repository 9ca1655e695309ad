import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatZodIssues } from '../config/zod-errors.js';

/** One registered builder: mmengine's `Registry` entry with its own options schema. */
export interface RegistryEntry<T, O = any> {
  /** The `type` name a config uses to pick this entry. */
  type: string;
  /** npm package (or local plugin file) that registered it. */
  package: string;
  /** One line shown by `iern list`. */
  description: string;
  /** Schema for the options (every key of the config section except `type`). */
  options: z.ZodType<O>;
  /** Builds the object from validated options; resolves shared services from `container`. */
  build(options: O, container: DependencyContainer): T | Promise<T>;
}

/** A config section that picks a registered entry: `{ type, ...options }`. */
export interface TypedConfig {
  type: string;
  [key: string]: unknown;
}

/** A typed registry for one kind of plugin (backbones, datasets, strategies, ...). */
export class Registry<T> {
  private readonly entries = new Map<string, RegistryEntry<T>>();

  constructor(readonly kind: string) {}

  register<O>(entry: RegistryEntry<T, O>): void {
    const existing = this.entries.get(entry.type);
    if (existing && existing.package !== entry.package) {
      throw new Error(
        `${this.kind} type '${entry.type}' from ${entry.package} is already registered by ${existing.package}`,
      );
    }
    this.entries.set(entry.type, entry as RegistryEntry<T>);
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  /** Known type names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): RegistryEntry<T>[] {
    return this.names().map((n) => this.entries.get(n)!);
  }

  /** The entry for `type`; a miss names the type and lists the known ones. */
  get(type: string, keyPath = `${this.kind}.type`): RegistryEntry<T> {
    const entry = this.entries.get(type);
    if (!entry) {
      const known = this.names();
      throw new ConfigError(
        keyPath,
        `unknown ${this.kind} type '${type}'; known: ${known.length ? known.join(', ') : '(none registered)'}`,
      );
    }
    return entry;
  }

  /** Validates `{ type, ...options }` against the chosen entry's schema; errors name `keyPath.<key>`. */
  validate(cfg: unknown, keyPath: string): { entry: RegistryEntry<T>; options: unknown } {
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
      throw new ConfigError(keyPath, `expected a mapping with a 'type' key`);
    }
    const { type, ...rest } = cfg as Record<string, unknown>;
    if (typeof type !== 'string') {
      throw new ConfigError(`${keyPath}.type`, `missing; known: ${this.names().join(', ')}`);
    }
    const entry = this.get(type, `${keyPath}.type`);
    const parsed = entry.options.safeParse(rest);
    if (!parsed.success) throw formatZodIssues(parsed.error, keyPath);
    return { entry, options: parsed.data };
  }

  /** Validates and builds: `build({ type, ...options })`. */
  async build(cfg: unknown, container: DependencyContainer, keyPath: string = this.kind): Promise<T> {
    const { entry, options } = this.validate(cfg, keyPath);
    return await entry.build(options, container);
  }
}
