// Unit conversion for the convert_units tool: linear units by factor to a base unit per dimension,
// temperatures by offset. Factors are the SI definitions (e.g. 1 in = 0.0254 m exactly).

const LINEAR: Record<string, Record<string, number>> = {
  length: { m: 1, km: 1000, cm: 0.01, mm: 0.001, um: 1e-6, nm: 1e-9, in: 0.0254, ft: 0.3048, yd: 0.9144, mi: 1609.344, nmi: 1852 },
  mass: { kg: 1, g: 0.001, mg: 1e-6, t: 1000, lb: 0.45359237, oz: 0.028349523125, st: 6.35029318 },
  time: { s: 1, ms: 0.001, min: 60, h: 3600, day: 86400, week: 604800 },
  volume: { l: 1, ml: 0.001, m3: 1000, gal: 3.785411784, qt: 0.946352946, pt: 0.473176473, cup: 0.2365882365, floz: 0.0295735295625 },
  area: { m2: 1, km2: 1e6, cm2: 1e-4, ha: 1e4, acre: 4046.8564224, ft2: 0.09290304, in2: 0.00064516 },
  speed: { 'm/s': 1, 'km/h': 1 / 3.6, mph: 0.44704, kn: 1852 / 3600 },
  data: { b: 1, kb: 1000, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1048576, gib: 1073741824 },
  energy: { j: 1, kj: 1000, cal: 4.184, kcal: 4184, wh: 3600, kwh: 3.6e6 },
};

const ALIASES: Record<string, string> = {
  meter: 'm', meters: 'm', metre: 'm', kilometer: 'km', kilometers: 'km', centimeter: 'cm', millimeter: 'mm', inch: 'in', inches: 'in',
  foot: 'ft', feet: 'ft', yard: 'yd', yards: 'yd', mile: 'mi', miles: 'mi', kilogram: 'kg', kilograms: 'kg', gram: 'g', grams: 'g',
  pound: 'lb', pounds: 'lb', lbs: 'lb', ounce: 'oz', ounces: 'oz', second: 's', seconds: 's', sec: 's', minute: 'min', minutes: 'min',
  hour: 'h', hours: 'h', hr: 'h', days: 'day', weeks: 'week', liter: 'l', liters: 'l', litre: 'l', gallon: 'gal', gallons: 'gal',
  kph: 'km/h', kmh: 'km/h', knot: 'kn', knots: 'kn', byte: 'b', bytes: 'b', celsius: 'c', fahrenheit: 'f', kelvin: 'k',
};

const TEMPERATURE = new Set(['c', 'f', 'k']);

function toKelvin(v: number, unit: string): number {
  return unit === 'c' ? v + 273.15 : unit === 'f' ? (v - 32) * (5 / 9) + 273.15 : v;
}

function fromKelvin(v: number, unit: string): number {
  return unit === 'c' ? v - 273.15 : unit === 'f' ? (v - 273.15) * (9 / 5) + 32 : v;
}

function canonical(unit: string): string {
  const u = unit.trim().toLowerCase().replace(/^°/, '');
  return ALIASES[u] ?? u;
}

export function convertUnits(value: number, from: string, to: string): number {
  const a = canonical(from);
  const b = canonical(to);
  if (TEMPERATURE.has(a) || TEMPERATURE.has(b)) {
    if (!(TEMPERATURE.has(a) && TEMPERATURE.has(b))) throw new Error(`cannot convert between "${from}" and "${to}": only temperatures (C, F, K) convert to temperatures`);
    return fromKelvin(toKelvin(value, a), b);
  }
  const dimA = Object.keys(LINEAR).find((d) => a in LINEAR[d]);
  const dimB = Object.keys(LINEAR).find((d) => b in LINEAR[d]);
  if (!dimA) throw new Error(`unknown unit "${from}"`);
  if (!dimB) throw new Error(`unknown unit "${to}"`);
  if (dimA !== dimB) throw new Error(`cannot convert ${dimA} ("${from}") to ${dimB} ("${to}")`);
  return (value * LINEAR[dimA][a]) / LINEAR[dimB][b];
}
