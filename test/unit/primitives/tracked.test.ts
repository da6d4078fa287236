import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SharedObject } from '../../../src/runtime/operation.js';
import { track, type AccessSink } from '../../../src/primitives/tracked.js';

/** Records what a tracked value reports: `has sessions["s1"] read`, `push log write`. */
class Recorder implements AccessSink {
  readonly log: string[] = [];
  private next = 0;
  newObjectId(): number {
    return this.next++;
  }
  access(obj: SharedObject, kind: string, key: unknown, write: boolean, inserts = false): void {
    const k = key === undefined ? '' : `[${typeof key === 'symbol' ? 'symbol' : JSON.stringify(key)}]`;
    this.log.push(`${kind} ${obj.name}${k} ${write ? 'write' : 'read'}${inserts ? ' inserts' : ''}`);
  }
}

describe('tracked values report their accesses at the right grain', () => {
  it('Map: per key for get/has/set/delete, whole for size, iteration and clear', () => {
    const rec = new Recorder();
    const m = track(rec, new Map<string, number>([['a', 1]]), 'm');
    m.get('a');
    m.has('b');
    expect(m.set('b', 2)).toBe(m);
    m.set('b', 3);
    m.delete('a');
    void m.size;
    expect([...m]).toEqual([['b', 3]]);
    m.clear();
    expect(m instanceof Map).toBe(true);
    expect(rec.log).toEqual(['get m["a"] read', 'has m["b"] read', 'set m["b"] write inserts', 'set m["b"] write', 'delete m["a"] write', 'size m read', 'iterate m read', 'iterate m read', 'iterate m read', 'clear m write']);
  });

  it('array: per index, whole for length and methods; object: per property, whole for its keys', () => {
    const rec = new Recorder();
    const a = track(rec, [1, 2], 'a');
    void a[0];
    a[1] = 5;
    a.push(3);
    void a.length;
    a.includes(2);
    expect(Array.isArray(a)).toBe(true);
    const o = track(rec, { x: 1 } as Record<string, number>, 'o');
    void o.x;
    o.y = 2;
    delete o.x;
    void ('y' in o);
    Object.keys(o);
    expect(rec.log).toEqual([
      'get a[0] read',
      'set a[1] write',
      'push a write',
      'length a read',
      'includes a read',
      'get o["x"] read',
      'set o["y"] write inserts',
      'delete o["x"] write',
      'has o["y"] read',
      'keys o read',
      // Object.keys asks each key's descriptor (is it enumerable?): a read of that key.
      'get o["y"] read',
    ]);
  });

  it('an iterator reads the whole collection again at every step (each step may run in a later scheduling step)', () => {
    const rec = new Recorder();
    const s = track(rec, new Set(['x', 'y']), 's');
    const it = s.values();
    it.next();
    it.next();
    expect(rec.log).toEqual(['iterate s read', 'iterate s read', 'iterate s read']);
  });
});

/** Operations on a Map/Set/array/object, applied to a plain value and to its tracked proxy alike. */
type Step = { readonly name: string; readonly run: (m: Map<string, number>, s: Set<string>, a: number[], o: Record<string, number>) => unknown };
const key = fc.constantFrom('a', 'b', 'c', '0', 'length');
const value = fc.integer({ min: -2, max: 9 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ({ name: `m.set(${k},${v})`, run: (m: Map<string, number>) => m.set(k, v).size })),
  key.map((k) => ({ name: `m.get(${k})`, run: (m: Map<string, number>) => m.get(k) })),
  key.map((k) => ({ name: `m.has(${k})`, run: (m: Map<string, number>) => m.has(k) })),
  key.map((k) => ({ name: `m.delete(${k})`, run: (m: Map<string, number>) => m.delete(k) })),
  fc.constant({ name: 'm.entries', run: (m: Map<string, number>) => [...m.entries()] }),
  fc.constant({ name: 'm.forEach', run: (m: Map<string, number>) => { const out: unknown[] = []; m.forEach((v, k) => out.push([k, v])); return out; } }),
  fc.constant({ name: 'm.clear', run: (m: Map<string, number>) => m.clear() }),
  key.map((k) => ({ name: `s.add(${k})`, run: (_m: Map<string, number>, s: Set<string>) => s.add(k).size })),
  key.map((k) => ({ name: `s.delete(${k})`, run: (_m: Map<string, number>, s: Set<string>) => s.delete(k) })),
  fc.constant({ name: 's.spread', run: (_m: Map<string, number>, s: Set<string>) => [...s, s.size] }),
  value.map((v) => ({ name: `a.push(${v})`, run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a.push(v) })),
  fc.constant({ name: 'a.pop', run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a.pop() }),
  fc.constant({ name: 'a.shift', run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a.shift() }),
  fc.tuple(fc.nat(4), value).map(([i, v]) => ({ name: `a[${i}]=${v}`, run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => (a[i] = v) })),
  fc.nat(4).map((i) => ({ name: `a[${i}]`, run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a[i] })),
  fc.nat(4).map((n) => ({ name: `a.length=${n}`, run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => (a.length = n) })),
  fc.constant({ name: 'a.sort', run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a.sort((x, y) => x - y).length }),
  fc.constant({ name: 'a.splice', run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => a.splice(1, 1, 7) }),
  fc.constant({ name: 'a.methods', run: (_m: Map<string, number>, _s: Set<string>, a: number[]) => [a.includes(7), a.indexOf(7), a.slice(1), a.map((x) => x * 2), [...a.entries()], JSON.stringify(a)] }),
  fc.tuple(key, value).map(([k, v]) => ({ name: `o.${k}=${v}`, run: (_m: Map<string, number>, _s: Set<string>, _a: number[], o: Record<string, number>) => (o[k] = v) })),
  key.map((k) => ({ name: `delete o.${k}`, run: (_m: Map<string, number>, _s: Set<string>, _a: number[], o: Record<string, number>) => delete o[k] })),
  key.map((k) => ({ name: `${k} in o`, run: (_m: Map<string, number>, _s: Set<string>, _a: number[], o: Record<string, number>) => [k in o, o[k]] })),
  fc.constant({ name: 'o.spread', run: (_m: Map<string, number>, _s: Set<string>, _a: number[], o: Record<string, number>) => [Object.keys(o), { ...o }, JSON.stringify(o), Object.entries(o)] }),
);

describe('a tracked value behaves exactly like the plain one', () => {
  it('same results and same final contents for random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const plain = [new Map<string, number>(), new Set<string>(), [] as number[], {} as Record<string, number>] as const;
        const rec = new Recorder();
        const raw = [new Map<string, number>(), new Set<string>(), [] as number[], {} as Record<string, number>] as const;
        const tracked = [track(rec, raw[0], 'm'), track(rec, raw[1], 's'), track(rec, raw[2], 'a'), track(rec, raw[3], 'o')] as const;
        for (const s of steps) expect(s.run(...tracked), s.name).toEqual(s.run(...plain));
        expect([[...raw[0]], [...raw[1]], [...raw[2]], Object.entries(raw[3])]).toEqual([[...plain[0]], [...plain[1]], [...plain[2]], Object.entries(plain[3])]);
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});
