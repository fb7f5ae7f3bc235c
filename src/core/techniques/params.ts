// Parameter declarations: each technique declares its parameters once; the CLI flags, the settings
// schema in package.json and the UI quick picks are all derived from these declarations.

interface ParamBase {
  name: string;
  description: string;
  /**
   * Its setting is ignored when an untrusted workspace sets it (Workspace Trust restrictedConfigurations),
   * e.g. rag's root, which decides what files are sent to the model.
   */
  restricted?: boolean;
}

export type ParamSpec =
  | (ParamBase & { type: 'integer' | 'number'; default: number; min: number; max: number })
  | (ParamBase & { type: 'enum'; default: string; options: readonly string[] })
  | (ParamBase & { type: 'boolean'; default: boolean })
  /** Free text such as a file path or a preset name; `maxLength` bounds it. */
  | (ParamBase & { type: 'string'; default: string; maxLength: number });

export type ParamValue = number | string | boolean;
export type ParamValues = Record<string, ParamValue>;

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Convert one raw value (a CLI string, a settings value) into the declared type, or explain why not. */
export function coerceParam(spec: ParamSpec, raw: unknown, context: string): ParamValue {
  const where = `${context} parameter "${spec.name}"`;
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(value)) throw new ParamError(`${where} must be a number, got ${JSON.stringify(raw)}`);
      if (spec.type === 'integer' && !Number.isInteger(value)) throw new ParamError(`${where} must be a whole number, got ${value}`);
      if (value < spec.min || value > spec.max) throw new ParamError(`${where} must be between ${spec.min} and ${spec.max}, got ${value}`);
      return value;
    }
    case 'enum': {
      const value = String(raw);
      if (!spec.options.includes(value)) throw new ParamError(`${where} must be one of ${spec.options.join(', ')}, got ${JSON.stringify(raw)}`);
      return value;
    }
    case 'string': {
      if (typeof raw !== 'string') throw new ParamError(`${where} must be text, got ${JSON.stringify(raw)}`);
      if (raw.length > spec.maxLength) throw new ParamError(`${where} must be at most ${spec.maxLength} characters, got ${raw.length}`);
      return raw;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ParamError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
    }
  }
}

/** Defaults overlaid with `raw`; unknown names are an error so typos do not silently do nothing. */
export function resolveParams(specs: readonly ParamSpec[], raw: Record<string, unknown>, context: string): ParamValues {
  const values: ParamValues = {};
  for (const spec of specs) values[spec.name] = spec.default;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const known = specs.map((s) => s.name).join(', ') || '(none)';
      throw new ParamError(`${context} has no parameter "${name}"; known parameters: ${known}`);
    }
    values[name] = coerceParam(spec, value, context);
  }
  return values;
}
