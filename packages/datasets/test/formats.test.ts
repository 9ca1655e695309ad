import { describe, expect, it } from 'vitest';
import { DataError } from '@iern/core';
import { LabelMap, codeToName, parseCsv, readNpy, readPickle, readStringDictPickle } from '@iern/datasets';
import { pickleStrDict } from './helpers.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
// Written by CPython 3 `pickle.dumps(d, protocol=p)` for the same 3-entry dict.
const PY = {
  0: '286470300a56636b706c75735f533031305f3030345f30303030303031370a70310a56416e6765720a70320a73566d6d695f533030315f3031325f350a70330a5668617070696e6573730a70340a73566f756c7563617369615f503030315f466561725f3030330a70350a56666561720a70360a732e',
  2: '80027d7100285818000000636b706c75735f533031305f3030345f303030303030313771015805000000416e6765727102580e0000006d6d695f533030315f3031325f357103580900000068617070696e657373710458170000006f756c7563617369615f503030315f466561725f30303371055804000000666561727106752e',
  4: '80049566000000000000007d94288c18636b706c75735f533031305f3030345f3030303030303137948c05416e676572948c0e6d6d695f533030315f3031325f35948c0968617070696e657373948c176f756c7563617369615f503030315f466561725f303033948c046665617294752e',
  5: '80059566000000000000007d94288c18636b706c75735f533031305f3030345f3030303030303137948c05416e676572948c0e6d6d695f533030315f3031325f35948c0968617070696e657373948c176f756c7563617369615f503030315f466561725f303033948c046665617294752e',
};
// CPython 3 pickle of a numpy scalar: needs GLOBAL/REDUCE, must be refused.
const PY_NUMPY = '8002636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7100636e756d70790a64747970650a71015802000000693871028988877103527104284b0358010000003c71054e4e4e4affffffff4affffffff4b0074710662635f636f646563730a656e636f64650a710758080000000300000000000000710858060000006c6174696e31710986710a52710b86710c52710d2e';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, newlines in quotes, CRLF, BOM and reports record lines', () => {
    const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"multi\nline",z\n\n   \n3,,\n';
    const recs = parseCsv(text);
    expect(recs.map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['1', 'x, y', 'say "hi"'], ['2', 'multi\nline', 'z'], ['3', '', '']]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 7]);
  });
  it('supports single quotes, tabs and a quote after leading spaces', () => {
    expect(parseCsv("'','Amusement'\n'a.jpg',3", { quote: "'" }).map((r) => r.fields)).toEqual([['', 'Amusement'], ['a.jpg', '3']]);
    expect(parseCsv('a\tb\n1\t2', { delimiter: '\t' })[1]!.fields).toEqual(['1', '2']);
    expect(parseCsv('0, Training, "1 2 3"')[0]!.fields).toEqual(['0', ' Training', '1 2 3']);
  });
  it('names the line of an unterminated quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3', { file: 'x.csv' })).toThrow(/x\.csv:2: unterminated/);
  });
});

describe('readPickle', () => {
  it.each([0, 2, 4, 5] as const)('reads a CPython protocol %i str dict', (p) => {
    const m = readStringDictPickle(hex(PY[p]), 'labels.pkl');
    expect([...m]).toEqual([
      ['ckplus_S010_004_00000017', 'Anger'],
      ['mmi_S001_012_5', 'happiness'],
      ['oulucasia_P001_Fear_003', 'fear'],
    ]);
  });
  it('reads Python 2 str (SHORT_BINSTRING) and our large-dict writer (LONG_BINPUT, batched SETITEMS)', () => {
    const py2 = Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, 0x55, 3, 0x61, 0x62, 0x63, 0x71, 1, 0x55, 3, 0x53, 0x61, 0x64, 0x71, 2, 0x73, 0x2e]);
    expect([...readStringDictPickle(py2, 'p')]).toEqual([['abc', 'Sad']]);
    const big = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}`, `v${i}`]));
    const m = readStringDictPickle(pickleStrDict(big), 'p');
    expect(m.size).toBe(2500);
    expect(m.get('k2499')).toBe('v2499');
  });
  it('refuses pickled objects and truncated files with the file name', () => {
    expect(() => readPickle(hex(PY_NUMPY), 'np.pkl')).toThrow(/np\.pkl.*Python objects/);
    expect(() => readPickle(hex(PY[2]).subarray(0, 20), 'cut.pkl')).toThrow(/cut\.pkl.*unexpected end/);
  });
});

describe('readNpy', () => {
  it('reads string, int64 and big-endian float arrays written by numpy', () => {
    const u1 = readNpy(hex('934e554d5059010076007b276465736372273a20273c5531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a33000000'));
    expect(u1).toMatchObject({ descr: '<U1', shape: [], values: ['3'] });
    const i8 = readNpy(hex('934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0500000000000000'));
    expect(i8.values).toEqual([5]);
    const f8 = readNpy(hex('934e554d5059010076007b276465736372273a20273e6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3ff80000000000004004000000000000'));
    expect(f8).toMatchObject({ shape: [2], values: [1.5, 2.5] });
    expect(() => readNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'bad.npy')).toThrow(/bad\.npy.*magic/);
  });
});

describe('LabelMap', () => {
  it('maps by name with synonyms, counts documented skips, and names file:line for unknown labels', () => {
    const m = new LabelMap(['anger', 'happiness', 'sadness'], ['contempt', 'no-face']);
    expect(m.map('Angry', { file: 'f' })).toEqual({ emotion: 'anger' });
    expect(m.map(' HAPPY ', { file: 'f' })).toEqual({ emotion: 'happiness' });
    expect(m.map('Contempt', { file: 'f' })).toEqual({ skip: 'contempt' });
    expect(m.map('NF', { file: 'f' })).toEqual({ skip: 'no-face' });
    expect(() => m.map('bored', { file: 'labels.txt', line: 7 })).toThrow(DataError);
    expect(() => m.map('bored', { file: 'labels.txt', line: 7 })).toThrow(/labels\.txt:7: unknown label 'bored'/);
    // EmotionROI keeps `joy`: a synonym is used only when its target is a class
    expect(new LabelMap(['joy']).map('joy', { file: 'f' })).toEqual({ emotion: 'joy' });
    expect(codeToName({ 0: 'Angry' }, '0', { file: 'f' })).toBe('Angry');
    expect(() => codeToName({ 0: 'Angry' }, '9', { file: 'x.csv', line: 3 })).toThrow(/x\.csv:3: unknown label code '9'/);
  });
});
