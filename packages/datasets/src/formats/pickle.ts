import { DataError } from '@iern/core';

/** Values a plain pickle can hold here: what `emotion_labels.pkl` (a str -> str dict) needs. */
export type PickleValue = string | number | bigint | boolean | null | PickleValue[] | Map<string | number, PickleValue>;

/**
 * Reads a Python pickle (protocols 0-5) made of plain containers: dict, list, tuple, str,
 * bytes (read as latin-1, for Python 2 `str`), int, float, bool, None. Objects (numpy arrays,
 * classes) need `GLOBAL`/`REDUCE` and are refused with a clear error: nothing is executed.
 */
export function readPickle(buf: Uint8Array, file = '<pickle>'): PickleValue {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let p = 0;
  const fail = (msg: string): never => {
    throw new DataError(file, `cannot read pickle at byte ${p}: ${msg}`);
  };
  const need = (n: number) => {
    if (p + n > buf.length) fail('unexpected end of file');
  };
  const u8 = () => (need(1), buf[p++]!);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(p, true);
    p += 8;
    return Number(v);
  };
  const bytes = (n: number) => (need(n), (p += n), buf.subarray(p - n, p));
  const textLine = () => {
    const e = buf.indexOf(10, p);
    if (e < 0) fail('unterminated text line');
    const s = latin1.decode(buf.subarray(p, e));
    p = e + 1;
    return s;
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) fail('MARK expected');
    return stack.splice(m!);
  };
  const top = () => (stack.length ? stack[stack.length - 1] : fail('empty stack'));
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) fail('SETITEMS on a non-dict');
    for (let k = 0; k < items.length; k += 2) (d as Map<unknown, unknown>).set(items[k], items[k + 1]);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: return stack.pop() as PickleValue; // STOP
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: case 0x29: stack.push([]); break; // EMPTY_LIST, EMPTY_TUPLE
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x73: { const v = stack.pop(); const k = stack.pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x65: { const items = popMark(); (top() as unknown[]).push(...items); break; } // APPENDS
      case 0x61: { const v = stack.pop(); (top() as unknown[]).push(v); break; } // APPEND
      case 0x6c: case 0x74: stack.push(popMark()); break; // LIST, TUPLE
      case 0x85: stack.push([stack.pop()]); break; // TUPLE1
      case 0x86: { const b = stack.pop(); const a = stack.pop(); stack.push([a, b]); break; }
      case 0x87: { const c = stack.pop(); const b = stack.pop(); const a = stack.pop(); stack.push([a, b, c]); break; }
      case 0x58: stack.push(utf8.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x54: stack.push(latin1.decode(bytes(i32()))); break; // BINSTRING
      case 0x55: stack.push(latin1.decode(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(latin1.decode(bytes(u32()))); break; // BINBYTES
      case 0x43: stack.push(latin1.decode(bytes(u8()))); break; // SHORT_BINBYTES
      case 0x56: stack.push(textLine().replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))); break; // UNICODE
      case 0x53: stack.push(textLine().replace(/^(['"])(.*)\1$/, '$2')); break; // STRING
      case 0x49: { const t = textLine(); stack.push(t === '01' ? true : t === '00' ? false : Number(t)); break; } // INT
      case 0x4c: stack.push(Number(textLine().replace(/L$/, ''))); break; // LONG
      case 0x46: stack.push(Number(textLine())); break; // FLOAT
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { // LONG1
        const b = bytes(u8());
        let v = 0n;
        for (let k = b.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]!);
        if (b.length && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: stack.push(view.getFloat64((need(8), (p += 8), p - 8), false)); break; // BINFLOAT (big-endian)
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(textLine()), top()); break; // PUT
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(textLine());
        if (!memo.has(k)) fail(`memo ${k} missing`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: stack.pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: case 0x93: case 0x52: case 0x81: case 0x92: case 0x62:
        fail('the pickle holds Python objects (GLOBAL/REDUCE); only plain dict/list/str/int pickles are supported — re-save it with plain str keys and values');
        break;
      default:
        fail(`unsupported opcode 0x${op.toString(16)}`);
    }
  }
}

/** Reads a pickled `{str: str}` dict into a Map; anything else is an error naming the file. */
export function readStringDictPickle(buf: Uint8Array, file: string): Map<string, string> {
  const v = readPickle(buf, file);
  if (!(v instanceof Map)) throw new DataError(file, 'expected a pickled dict of str -> str');
  const out = new Map<string, string>();
  for (const [k, val] of v) {
    if (typeof val !== 'string' && typeof val !== 'number') throw new DataError(file, `value for key '${String(k)}' is not a string`);
    out.set(String(k), String(val));
  }
  return out;
}
